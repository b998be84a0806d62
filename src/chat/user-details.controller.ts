import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, NotFoundException, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { User } from '../accounts/user.entity';
import type { GwarRequest } from '../web/gwar-request';
import { idParam } from '../web/id-param';
import { render } from '../web/view';
import { PresenceService } from '../presence/presence.service';
import { ChatEnabled } from './chat-enabled.guard';

/** A colleague's details, shown when their name is clicked in a chat. */
@Controller('chat/users/:id/details')
@UseGuards(ChatEnabled)
export class UserDetailsController {
  constructor(
    private readonly em: EntityManager,
    private readonly presence: PresenceService,
  ) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const person = await this.em.findOne(User, { id: idParam(id) });
    if (!person) throw new NotFoundException();
    render(req, res, 'chat/user-details', { person, presence: await this.presence.of(person.id) }, { fragment: 'chat/_user-details' });
  }
}
