import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { join } from 'node:path';
import { PUBLIC_DIR, ROOT } from '../config/paths';
import { ASSET_VERSION } from '../web/asset-version';
import type { GwarRequest } from '../web/gwar-request';
import { translator } from '../web/i18n/translator';
import { sendCompressed, StaticAsset } from './compressed';
import { loaderScript } from './loader';
import { frameAncestors } from './origins';
import { LivechatSettingsService } from './settings.service';
import { liveWidget, speak } from './widget-access';

const ASSETS: Record<string, StaticAsset> = {
  'widget.js': new StaticAsset(join(PUBLIC_DIR, 'js/livechat/widget.js'), 'text/javascript; charset=utf-8'),
  'widget.css': new StaticAsset(join(PUBLIC_DIR, 'css/livechat-widget.css'), 'text/css; charset=utf-8'),
  'socket.io.js': new StaticAsset(join(ROOT, 'node_modules/socket.io-client/dist/socket.io.min.js'), 'text/javascript; charset=utf-8'),
  // The proof-of-work widget (ALTCHA, its CSP-friendly build: styles and workers apart), loaded only when challenged.
  'altcha.js': new StaticAsset(join(ROOT, 'node_modules/altcha/dist/external/altcha.min.js'), 'text/javascript; charset=utf-8'),
  'altcha.css': new StaticAsset(join(ROOT, 'node_modules/altcha/dist/external/altcha.css'), 'text/css; charset=utf-8'),
  'altcha-pl.js': new StaticAsset(join(ROOT, 'node_modules/altcha/dist/i18n/pl.js'), 'text/javascript; charset=utf-8'),
  'altcha-sha.js': new StaticAsset(join(ROOT, 'node_modules/altcha/dist/workers/sha.js'), 'text/javascript; charset=utf-8'),
};

/** What a website loads: the loader its snippet names, the widget's iframe page, and the page's assets (gzipped). */
@Controller('livechat')
export class WidgetController {
  constructor(private readonly settings: LivechatSettingsService) {}

  @Get('assets/:version/:file')
  asset(@Req() req: GwarRequest, @Res() res: Response, @Param('file') file: string): void {
    const asset = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!asset) throw new NotFoundException();
    const { body, gzipped } = asset.get();
    sendCompressed(req, res, body, gzipped, asset.type, 'public, max-age=31536000, immutable');
  }

  @Get(':key/loader.js')
  async loader(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string): Promise<void> {
    const settings = await liveWidget(this.settings, key);
    const t = translator(speak(req, res));
    const origin = `${req.protocol}://${req.get('host')}`;
    const script = loaderScript({
      key: settings.publicKey,
      widgetUrl: `${origin}/livechat/${settings.publicKey}/widget`,
      origin,
      colour: settings.colour,
      label: settings.title || t('livechat.defaultTitle'),
      unread: t('livechat.unreadCount', { count: '{count}' }),
    });
    // Short-lived: a change of colour or title reaches websites within minutes.
    sendCompressed(req, res, Buffer.from(script), undefined, 'text/javascript; charset=utf-8', 'public, max-age=300');
  }

  @Get(':key/widget')
  async page(@Req() req: GwarRequest, @Res() res: Response, @Param('key') key: string): Promise<void> {
    const settings = await liveWidget(this.settings, key);
    speak(req, res);
    res.removeHeader('X-Frame-Options');
    res.set(
      'Content-Security-Policy',
      `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors ${frameAncestors(settings.origins)}; base-uri 'none'; form-action 'self'`,
    );
    res.render('livechat/widget', { settings, assetVersion: ASSET_VERSION });
  }
}
