import { Body, Controller, Delete, Get, NotFoundException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import { requireFeature } from '../accounts/plan-refusal';
import { MessagesService } from '../chat/messages.service';
import { hasErrors, text } from '../web/form';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { redirect, render } from '../web/view';
import { parseCrmForm } from './crm-form';
import { KindDef, kindOf } from './crm-kinds';
import { CrmService } from './crm.service';

function kindParam(slug: string): KindDef {
  const kind = kindOf(slug);
  if (!kind) throw new NotFoundException();
  return kind;
}

/** Lists, details and forms of the four CRM kinds, all made from their descriptions in crm-kinds. */
@Controller('crm/:kind')
@UseGuards(SignedIn)
export class CrmController {
  constructor(
    private readonly crm: CrmService,
    private readonly messages: MessagesService,
  ) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Query() query: Record<string, string>): Promise<void> {
    const kind = kindParam(slug);
    const after = /^\d{1,9}$/.test(query.after ?? '') ? Number(query.after) : undefined;
    const filters = Object.fromEntries(kind.fields.filter((f) => f.filter).map((f) => [f.name, typeof query[f.name] === 'string' ? query[f.name] : '']));
    const q = typeof query.q === 'string' ? query.q : '';
    const { rows, next } = await this.crm.list(kind, { q, filters, after });
    const params = new URLSearchParams({ ...(q ? { q } : {}), ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) });
    render(
      req,
      res,
      'crm/index',
      { kind, rows, next, q, filters, params: params.toString(), options: await this.crm.options() },
      { fragment: after ? 'crm/_rows' : undefined },
    );
  }

  @Get('new')
  async new(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Query('fromMessage') fromMessage?: string): Promise<void> {
    const kind = kindParam(slug);
    const values: Record<string, string> = kind.fields.find((f) => f.name === 'status') ? { status: 'new' } : {};
    if (kind.slug === 'opportunities') Object.assign(values, { stage: 'lead', currency: 'PLN' });
    // Prefilled from a link (a callback card's "Add a CRM company / task"): only the kind's own text fields, cut to their length.
    for (const f of kind.fields) {
      const given = req.query[f.name];
      if (typeof given === 'string' && ['text', 'tel', 'email', 'textarea'].includes(f.type)) values[f.name] = given.slice(0, f.max ?? 200);
    }
    let sourceMessageId = '';
    if (fromMessage && /^\d{1,15}$/.test(fromMessage)) {
      requireFeature(req.auth!.company, 'crmLinks');
      const message = await this.messages.visible(req.auth!.user, Number(fromMessage));
      sourceMessageId = String(message.id);
      const firstLine = message.body.trim().split('\n')[0].slice(0, 200);
      if (kind.slug === 'notes') values.text = message.body;
      else values.name = firstLine;
      if (kind.slug === 'tasks') Object.assign(values, { description: message.body, assignee: message.authorId ? String(message.authorId) : '' });
    }
    render(req, res, 'crm/form', { kind, record: null, values, errors: {}, sourceMessageId, options: await this.crm.options() });
  }

  @Post()
  async create(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Body() body: unknown): Promise<void> {
    const kind = kindParam(slug);
    const me = req.auth!.user;
    const form = parseCrmForm(kind, body);
    const { values, errors } = form;
    const resolved = await this.crm.resolve(kind, form);
    const source = text(body, 'sourceMessageId');
    if (source) requireFeature(req.auth!.company, 'crmLinks');
    const message = /^\d{1,15}$/.test(source) ? await this.messages.visible(me, Number(source)).catch(() => null) : null;
    if (hasErrors(errors)) {
      return render(
        req,
        res,
        'crm/form',
        { kind, record: null, values, errors, sourceMessageId: message ? String(message.id) : '', options: await this.crm.options() },
        { fragment: 'crm/_form', status: 422 },
      );
    }
    const record = new kind.entity();
    record.company = me.company;
    record.createdBy = me;
    record.sourceMessageId = message?.id ?? null;
    await this.crm.save(kind, record, resolved, true, me);
    if (message)
      await this.crm.announceInConversation(kind, record, me, message, req.t(`crm.createdFrom.${kind.singular}`), `${req.protocol}://${req.get('host')}`);
    redirect(req, res, `/crm/${kind.slug}/${record.id}`);
  }

  @Get(':id')
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Param('id') id: string): Promise<void> {
    const kind = kindParam(slug);
    const record = await this.crm.get(kind, idParam(id));
    render(req, res, 'crm/show', { kind, record, source: await this.crm.sourceOf(req.auth!.user, record) });
  }

  @Get(':id/edit')
  async edit(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Param('id') id: string): Promise<void> {
    const kind = kindParam(slug);
    const record = await this.crm.get(kind, idParam(id));
    render(req, res, 'crm/form', { kind, record, values: formValues(kind, record), errors: {}, sourceMessageId: '', options: await this.crm.options() });
  }

  @Post(':id')
  async update(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const kind = kindParam(slug);
    const record = await this.crm.get(kind, idParam(id));
    const form = parseCrmForm(kind, body);
    const { values, errors } = form;
    const resolved = await this.crm.resolve(kind, form);
    if (hasErrors(errors)) {
      return render(
        req,
        res,
        'crm/form',
        { kind, record, values, errors, sourceMessageId: '', options: await this.crm.options() },
        { fragment: 'crm/_form', status: 422 },
      );
    }
    await this.crm.save(kind, record, resolved, false, req.auth!.user);
    redirect(req, res, `/crm/${kind.slug}/${record.id}`);
  }

  @Delete(':id')
  async destroy(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Param('id') id: string): Promise<void> {
    const kind = kindParam(slug);
    await this.crm.delete(kind, await this.crm.get(kind, idParam(id)));
    redirect(req, res, `/crm/${kind.slug}`);
  }

  /** Deleting without JavaScript: a plain form posts to the deletion. */
  @Post(':id/deletion')
  destroyByForm(@Req() req: GwarRequest, @Res() res: Response, @Param('kind') slug: string, @Param('id') id: string): Promise<void> {
    return this.destroy(req, res, slug, id);
  }
}

function formValues(kind: KindDef, record: object): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of kind.fields) {
    const value = (record as Record<string, unknown>)[field.name];
    values[field.name] = value === null || value === undefined ? '' : typeof value === 'object' ? String((value as { id: number }).id) : String(value);
  }
  return values;
}
