import { Injectable } from '@nestjs/common';

/**
 * A check another module makes on a message about to be left while nobody is on duty (Callback: that a phone
 * number given there can be called). An error (a message key) sends the offline form back with it under the phone
 * field, before anything is kept; what is kept is then announced as `livechat.left-message`.
 */
export interface LeftMessageCheck {
  check(companyId: number, phone: string): Promise<string | undefined>;
}

@Injectable()
export class LeftMessageChecks {
  private readonly checks: LeftMessageCheck[] = [];

  register(check: LeftMessageCheck): void {
    this.checks.push(check);
  }

  async run(companyId: number, phone: string): Promise<string | undefined> {
    for (const c of this.checks) {
      const error = await c.check(companyId, phone);
      if (error) return error;
    }
    return undefined;
  }
}
