import { Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx, redirect, render } from '../web/view';
import { NotificationsService } from './notifications.service';

/** Reading the notification list marks it read. */
@Controller('notifications/read')
@UseGuards(SignedIn)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    await this.notifications.markAllRead(req.auth!.user.id);
    if (!isHtmx(req)) return redirect(req, res, '/');
    render(req, res, 'notifications/_badge', { count: 0, oob: false });
  }
}
