import { CallHandler, ExecutionContext, Injectable, NestInterceptor, NotFoundException } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx } from '../web/view';
import { ConversationView, ConversationWindows } from './conversation.view';
import { PanelService } from './panel.service';

/**
 * Every full page a signed-in user loads carries the chat panel and the windows they left open. It is loaded
 * only when a whole page is rendered (render() asks for it), so fragments, redirects and JSON pay nothing.
 */
@Injectable()
export class PageChromeInterceptor implements NestInterceptor {
  constructor(
    private readonly panels: PanelService,
    private readonly windows: ConversationWindows,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<GwarRequest>();
    if (context.getType() === 'http' && req.auth && !isHtmx(req)) {
      let loaded: Promise<object> | undefined;
      req.pageChrome = () => (loaded ??= this.chrome(req));
    }
    return next.handle();
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
          const view = await this.windows.open(me, open.conversationId, req.locale);
          openWindows.push(Object.assign(view, { maximized: open.maximized, front: open.front === true && open.maximized }));
        } catch (err) {
          if (!(err instanceof NotFoundException)) throw err;
        }
      }
    }
    return { panel, openWindows };
  }
}
