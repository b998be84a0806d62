import { Controller, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { CompanyAdmin } from './access.guards';
import { inviteUrl } from './users.controller';
import { UsersService } from './users.service';

/** A user's access as its own nouns: deactivation, activation, and a fresh invitation (password reset). */
@Controller('admin/users/:id')
@UseGuards(CompanyAdmin)
export class UserAccessController {
  constructor(private readonly users: UsersService) {}

  @Post('deactivation')
  async deactivate(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const user = await this.users.get(idParam(id));
    if (user.id === req.auth!.user.id) {
      return render(
        req,
        res,
        'web/notice',
        { title: req.t('users.deactivate'), message: req.t('users.ownDeactivation'), back: `/admin/users/${user.id}` },
        { status: 409 },
      );
    }
    await this.users.deactivate(user);
    redirect(req, res, '/admin/users');
  }

  @Post('activation')
  async activate(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    await this.users.activate(await this.users.get(idParam(id)));
    redirect(req, res, '/admin/users');
  }

  @Post('invitation')
  async reinvite(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const user = await this.users.get(idParam(id));
    const token = await this.users.resetAccess(user);
    render(req, res, 'admin/users/created', { user, inviteUrl: inviteUrl(req, token), reset: true });
  }
}
