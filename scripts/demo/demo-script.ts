import type { Plan } from '../../src/accounts/plans';
import type { Role } from '../../src/accounts/user.entity';
import type { KindDef } from '../../src/crm/crm-kinds';
import type { Locale } from '../../src/web/i18n/translator';
import type { DemoFileName } from './demo-files';

/**
 * A demo company written as a script: its people, its CRM records and its conversations line by line, each at a
 * moment of the last few days. The seeder plays it through the app's own services.
 *
 * Moments: 'D-3 09:05' is that time three days ago (the server's clock), '-40m' is forty minutes ago. A task's
 * due date '+2' is two days from today.
 */
export type When = string;

export interface DemoPerson {
  key: string;
  name: string;
  email: string;
  role: Role;
  livechat?: boolean;
  callback?: boolean;
}

/** A CRM record; its fields by name as the forms have them, people and companies by key. */
export interface DemoRecord {
  key: string;
  kind: KindDef['slug'];
  by: string;
  at: When;
  values: Record<string, string>;
  /** People (`assignee`, `owner`) and CRM companies (`crmCompany`) named by key. */
  refs?: Partial<Record<'assignee' | 'owner' | 'crmCompany', string>>;
}

export interface DemoLine {
  /** For replies, edits and records made from this line. */
  key?: string;
  from: string;
  at: When;
  /** `{crm:key}` becomes the address of that CRM record, so the message shows it as a live link. */
  text?: string;
  file?: DemoFileName;
  /** The name the file is sent under. */
  fileName?: string;
  replyTo?: string;
  /** Edited by its author this many minutes later. */
  editedTo?: { text: string; after: number };
  /** Deleted by its author this many minutes later. */
  deletedAfter?: number;
  /** A CRM record made from this message by someone, this many minutes later: the conversation gets the link line. */
  makes?: DemoRecord & { after: number };
}

export interface DemoConversation {
  group?: { name: string; by: string; members: string[] };
  direct?: [string, string];
  lines: DemoLine[];
  /** How many of the last messages (by others) each person has not read yet; everybody else has read everything. */
  unread?: Record<string, number>;
}

export interface DemoCompany {
  name: string;
  plan: Plan;
  apiAddon: boolean;
  /** The language its people write in, and of the lines the app writes for them. */
  locale: Locale;
  people: DemoPerson[];
  records: DemoRecord[];
  conversations: DemoConversation[];
  /** The text of the PDF its people send. */
  offer: string[];
}

/** The moment a script names, on the clock of `now`. */
export function momentOf(when: When, now: Date): Date {
  const ago = /^-(\d+)m$/.exec(when);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * 60_000);
  const day = /^D-(\d+) (\d\d):(\d\d)$/.exec(when);
  if (!day) throw new Error(`not a moment: ${when}`);
  const at = new Date(now);
  at.setDate(at.getDate() - Number(day[1]));
  at.setHours(Number(day[2]), Number(day[3]), 0, 0);
  return at;
}

/**
 * Moments of one conversation's lines, in order and all in the past: a line the clock puts after a later one (a
 * demo run just after midnight) or after now moves back a minute before what follows it.
 */
export function orderedMoments(whens: When[], now: Date): Date[] {
  const moments = whens.map((w) => momentOf(w, now).getTime());
  let limit = now.getTime() - 60_000;
  for (let i = moments.length - 1; i >= 0; i--) {
    moments[i] = Math.min(moments[i], limit);
    limit = moments[i] - 30_000;
  }
  return moments.map((m) => new Date(m));
}
