import type { Request, Response } from 'express';
import type { Company } from '../accounts/company.entity';
import type { User } from '../accounts/user.entity';
import type { Locale, Translate } from './i18n/translator';

export interface AuthContext {
  user: User;
  company: Company;
  sessionToken: string;
}

export interface GwarRequest extends Request {
  auth?: AuthContext;
  locale: Locale;
  t: Translate;
  csrfToken: string;
  /** Set by the request-id middleware first of all (X-Request-Id). */
  id: string;
  /** What a full page shows around its content, loaded once when a full page is rendered (PageChromeInterceptor). */
  pageChrome?: () => Promise<object>;
}

export type GwarResponse = Response;
