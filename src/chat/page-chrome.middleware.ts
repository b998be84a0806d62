import { Injectable, NestMiddleware, NotFoundException } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx } from '../web/view';
import { conversationView, ConversationView } from './conversation.view';
import { ConversationsService } from './conversations.service';
import { MessagesService } from './messages.service';
import { PanelService } from './panel.service';

/**
 * Every full page a signed-in user loads carries the chat panel and the windows they left open. Loaded only
 * when a whole page is rendered (not for htmx fragments or JSON), so other requests pay nothing for it.
 */
@Injectable()
export class PageChromeMiddleware implements NestMiddleware {
  constructor(
    private readonly panels: PanelService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}

  use(req: GwarRequest, res: Response, next: NextFunction): void {
    if (!req.auth || isHtmx(req)) return next();
    const render = res.render.bind(res);
    res.render = ((view: string, options?: object, callback?: (err: Error, html: string) => void) => {
      if (view.split('/').pop()!.startsWith('_')) return render(view, options, callback);
      this.chrome(req)
        .then((chrome) => render(view, { ...options, ...chrome }, callback))
        .catch((err: unknown) => next(err));
    }) as Response['render'];
    next();
  }

  private async chrome(req: GwarRequest): Promise<{ panel: unknown; openWindows: ConversationView[] }> {
    const me = req.auth!.user;
    const panel = await this.panels.build(me);
    const openWindows: ConversationView[] = [];
    if (panel.chatEnabled && panel.settings.openIn === 'window') {
      // A conversation shown as the page itself is not also a floating window (one #win-N per page).
      const shownAsPage = /^\/chat\/conversations\/(\d+)/.exec(req.originalUrl)?.[1];
      for (const open of panel.settings.openWindows.filter((w) => String(w.conversationId) !== shownAsPage)) {
        try {
          const conversation = await this.conversations.open(me, open.conversationId);
          const view = conversationView(me, conversation, await this.messages.page(conversation.conversation.id));
          openWindows.push(Object.assign(view, { maximized: open.maximized, x: open.x, y: open.y }));
        } catch (err) {
          if (!(err instanceof NotFoundException)) throw err;
        }
      }
    }
    return { panel, openWindows };
  }
}
