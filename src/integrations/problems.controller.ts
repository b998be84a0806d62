import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PROBLEMS, problemType } from './problem';

/** What each problem `type` names: the URI in every API error resolves here. */
@ApiExcludeController()
@Controller('api/problems')
export class ProblemsController {
  @Get()
  list(@Res() res: Response): void {
    res.json(Object.entries(PROBLEMS).map(([kind, p]) => ({ type: problemType(kind as keyof typeof PROBLEMS), ...p })));
  }

  @Get(':kind')
  one(@Param('kind') kind: string, @Res() res: Response): void {
    if (!Object.hasOwn(PROBLEMS, kind)) throw new NotFoundException(`No problem type "${kind}".`);
    res.json({ type: problemType(kind as keyof typeof PROBLEMS), ...PROBLEMS[kind as keyof typeof PROBLEMS] });
  }
}
