import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { unlessDuplicate } from '../database/errors';
import { hasErrors } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { CompanyAdmin } from './access.guards';
import { ROLES } from './user.entity';
import { parseNewUserForm, parseUserForm } from './user.form';
import { UsersService } from './users.service';

/** A company's administrators manage its users. */
@Controller('admin/users')
@UseGuards(CompanyAdmin)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(req, res, 'admin/users/index', { users: await this.users.list() });
  }

  @Get('new')
  new(@Req() req: GwarRequest, @Res() res: Response): void {
    render(req, res, 'admin/users/new', { values: { role: 'user', access: 'password' }, errors: {}, roles: ROLES });
  }

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { values, errors, input } = parseNewUserForm(body);
    if (!errors.email && (await this.users.emailTaken(values.email.trim().toLowerCase()))) errors.email = 'form.emailTaken';
    const created = hasErrors(errors) || !input ? null : await unlessDuplicate(() => this.users.create(req.auth!.company, input));
    if (!created) {
      errors.email ??= 'form.emailTaken';
      return render(req, res, 'admin/users/new', { values, errors, roles: ROLES }, { fragment: 'admin/users/_new-form', status: 422 });
    }
    render(
      req,
      res,
      'admin/users/created',
      { user: created.user, inviteUrl: created.inviteToken && inviteUrl(req, created.inviteToken) },
      { status: 201, fragment: 'admin/users/_created', intoMain: true },
    );
  }

  @Get(':id')
  async edit(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const user = await this.users.get(idParam(id));
    render(req, res, 'admin/users/edit', { user, values: formValues(user), errors: {}, roles: ROLES });
  }

  @Post(':id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const user = await this.users.get(idParam(id));
    const { values, errors, input } = parseUserForm(body);
    if (!errors.email && (await this.users.emailTaken(values.email.trim().toLowerCase(), user.id))) errors.email = 'form.emailTaken';
    // An admin cannot take away their own admin role, so a company always keeps someone who can manage it.
    if (!errors.role && user.id === req.auth!.user.id && values.role !== 'admin') errors.role = 'users.ownRole';
    if (hasErrors(errors) || !input || !(await unlessDuplicate(() => this.users.update(user, input, req.auth!.company).then(() => true)))) {
      if (!hasErrors(errors)) errors.email = 'form.emailTaken';
      return render(req, res, 'admin/users/edit', { user, values, errors, roles: ROLES }, { fragment: 'admin/users/_edit-form', status: 422 });
    }
    redirect(req, res, '/admin/users');
  }
}

export function inviteUrl(req: GwarRequest, token: string): string {
  return `${req.protocol}://${req.get('host')}/invite/${token}`;
}

function formValues(user: { name: string; email: string; role: string; livechatConfigured: boolean; callbackConfigured: boolean; supportAgent: boolean }) {
  return {
    name: user.name,
    email: user.email,
    role: user.role,
    livechatConfigured: user.livechatConfigured ? 'on' : '',
    callbackConfigured: user.callbackConfigured ? 'on' : '',
    supportAgent: user.supportAgent ? 'on' : '',
  };
}
