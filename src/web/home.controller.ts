import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SetupService } from '../accounts/setup.service';
import type { GwarRequest } from './gwar-request';
import { redirect, render } from './view';

@Controller()
export class HomeController {
  constructor(private readonly setup: SetupService) {}

  @Get()
  async show(@Req() req: GwarRequest, @Res() res: Response): Promise<void> {
    if (!req.auth) return redirect(req, res, (await this.setup.done()) ? '/login' : '/setup');
    render(req, res, 'web/home', {});
  }
}
