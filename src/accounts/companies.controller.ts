import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { unlessDuplicate } from '../database/errors';
import { hasErrors } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { OperatorAdmin } from './access.guards';
import { CompaniesService } from './companies.service';
import { DEFAULT_PLAN, PLANS } from './plans';
import { parseCompanyForm } from './company.form';
import { parseNewUserForm } from './user.form';
import { inviteUrl } from './users.controller';
import { UsersService } from './users.service';

/** The operator's admins create and change the company accounts. */
@Controller('operator/companies')
@UseGuards(OperatorAdmin)
export class CompaniesController {
  constructor(
    private readonly companies: CompaniesService,
    private readonly users: UsersService,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    render(req, res, 'operator/companies/index', { rows: await this.companies.list() });
  }

  @Get('new')
  new(@Req() req: GwarRequest, @Res() res: Response): void {
    render(req, res, 'operator/companies/new', { values: { plan: DEFAULT_PLAN, access: 'password' }, errors: {}, plans: PLANS });
  }

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const company = parseCompanyForm(body);
    const admin = parseNewUserForm(body, 'admin');
    const errors = { ...company.errors, ...admin.errors };
    if (!errors.email && (await this.users.emailTaken(admin.values.email.trim().toLowerCase()))) errors.email = 'form.emailTaken';
    const created =
      hasErrors(errors) || !company.input || !admin.input ? null : await unlessDuplicate(() => this.companies.create(company.input!, admin.input!));
    if (!created) {
      if (!hasErrors(errors)) errors.email = 'form.emailTaken';
      const values = { ...company.values, ...admin.values };
      return render(req, res, 'operator/companies/new', { values, errors, plans: PLANS }, { fragment: 'operator/companies/_new-form', status: 422 });
    }
    render(
      req,
      res,
      'operator/companies/created',
      {
        company: created.company,
        user: created.user,
        inviteUrl: created.inviteToken && inviteUrl(req, created.inviteToken),
      },
      { status: 201, fragment: 'operator/companies/_created', intoMain: true },
    );
  }

  @Get(':id')
  async edit(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const company = await this.companies.get(idParam(id));
    const values = { companyName: company.name, plan: company.plan, apiAddon: company.apiAddon ? 'on' : '' };
    render(req, res, 'operator/companies/edit', { company, values, errors: {}, plans: PLANS });
  }

  @Post(':id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const company = await this.companies.get(idParam(id));
    const { values, errors, input } = parseCompanyForm(body);
    if (!input) {
      return render(req, res, 'operator/companies/edit', { company, values, errors, plans: PLANS }, { fragment: 'operator/companies/_edit-form', status: 422 });
    }
    await this.companies.update(company, input);
    redirect(req, res, '/operator/companies');
  }
}
