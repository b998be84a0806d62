import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { LivechatSettingsService } from '../livechat/settings.service';
import { CallbackSettingsService } from './settings.service';

const WIDGET_PIECES = /^\/livechat\/([A-Za-z0-9_-]{16,64})\/(widget|api\/state|api\/offline|api\/chats)(\?|$)/;

/** Tells the Livechat widget's templates that its company takes callback requests: they add the tab and the phone field. */
@Injectable()
export class WidgetFlagMiddleware implements NestMiddleware {
  constructor(
    private readonly widgets: LivechatSettingsService,
    private readonly settings: CallbackSettingsService,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const key = WIDGET_PIECES.exec(req.originalUrl)?.[1];
      const widget = key ? await this.widgets.byKey(key) : null;
      if (widget && (await this.settings.live(widget.companyId))) res.locals.callbackOn = true;
      next();
    } catch (err) {
      next(err);
    }
  }
}
