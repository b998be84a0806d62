import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SignedIn } from '../accounts/access.guards';
import type { GwarRequest } from '../web/gwar-request';
import { isHtmx, render } from '../web/view';
import { readSearchInput } from './search-input';
import { SearchService } from './search.service';

/**
 * The header's search box: a plain GET form (a whole page without JavaScript), swapped into <main> by htmx as
 * one types. A further page of message hits ("more results") is its own fragment.
 */
@Controller('search')
@UseGuards(SignedIn)
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  async index(@Req() req: GwarRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    const input = readSearchInput(query);
    const results = await this.search.search(req.auth!.user, input);
    const more = !!input.after && isHtmx(req);
    render(
      req,
      res,
      'search/index',
      { results, searchQuery: input.q, oob: isHtmx(req), more },
      { fragment: more ? 'search/_message-hits' : 'search/_results' },
    );
  }
}
