import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { newToken } from './tokens';

/** APP_SECRET, or one generated once and kept in the database so that every instance signs alike. */
@Injectable()
export class AppSecretService {
  private secret?: Promise<string>;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get(): Promise<string> {
    this.secret ??= this.config.appSecret ? Promise.resolve(this.config.appSecret) : this.load();
    return this.secret;
  }

  private async load(): Promise<string> {
    const conn = this.em.getConnection();
    await conn.execute(`insert into app_setting (key, value) values ('secret', ?) on conflict (key) do nothing`, [newToken(48)]);
    const [row] = await conn.execute<{ value: string }[]>(`select value from app_setting where key = 'secret'`);
    return row.value;
  }
}
