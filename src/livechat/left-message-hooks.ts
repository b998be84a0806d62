import { Injectable } from '@nestjs/common';

/**
 * What another module does with a message left while nobody was on duty (Callback turns one with a phone number
 * into a callback request). A hook's error (a message key) sends the offline form back with it under the phone field.
 */
export interface LeftMessageHook {
  take(companyId: number, body: unknown, from: { ip: string }): Promise<{ error?: string; retryAfter?: number } | undefined>;
}

@Injectable()
export class LeftMessageHooks {
  private readonly hooks: LeftMessageHook[] = [];

  register(hook: LeftMessageHook): void {
    this.hooks.push(hook);
  }

  async run(companyId: number, body: unknown, from: { ip: string }): Promise<{ error?: string; retryAfter?: number }> {
    for (const hook of this.hooks) {
      const result = await hook.take(companyId, body, from);
      if (result?.error) return result;
    }
    return {};
  }
}
