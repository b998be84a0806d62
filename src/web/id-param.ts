import { NotFoundException } from '@nestjs/common';

/** Route ids are positive integers; anything else names nothing, so it is a 404 like any unknown id. */
export function idParam(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value)) throw new NotFoundException();
  const id = Number(value);
  if (id > 2_147_483_647) throw new NotFoundException();
  return id;
}
