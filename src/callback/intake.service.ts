import { Injectable } from '@nestjs/common';
import type { Challenge } from 'altcha-lib';
import { z } from 'zod';
import { LimitsService, LIMITS } from '../security/limits.service';
import { LivechatChallenge } from '../livechat/challenge';
import { normalizePhone } from './phone';
import { CallbackRequests, Source } from './requests.service';
import { readSlot } from './slots';
import type { CallbackSettings } from './settings.service';

/** What a request carries, however it comes (widget form, offline form, REST). */
const str = (name: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? `"${name}" is required.` : `"${name}" must be a string.`) })
    .max(max, `"${name}" is too long: at most ${max} characters.`);

export const callbackInput = z
  .object({
    phone: str('phone', 40).describe('The number to call, as typed: national (read in the company’s default country) or international (+…)'),
    name: str('name', 120).trim().default('').describe('Who to ask for'),
    topic: str('topic', 500).trim().default('').describe('What it is about'),
    preferredTime: str('preferredTime', 16)
      .default('asap')
      .describe('"asap", or a local time in the company’s time zone ("YYYY-MM-DDTHH:MM") on a working day within working hours, up to 14 days ahead'),
    consent: z
      .boolean({ error: '"consent" is required: true when the visitor agreed to be called back.' })
      .describe('The visitor agrees to be called back: must be true'),
    page: str('page', 2000).default('').describe('The page the request came from'),
    challenge: str('challenge', 4000)
      .optional()
      .describe(
        'The solved proof of work, needed once an address sent many requests in a day: base64 of the JSON `{"challenge": <the problem’s challenge>, "solution": <altcha-lib’s solveChallenge result>}` (what the ALTCHA widget hands over). Each is taken once.',
      ),
  })
  .strict();
export type CallbackInput = z.input<typeof callbackInput>;

export type IntakeResult =
  | { ok: true; id: number; merged: boolean; phone: string }
  | { ok: false; kind: 'invalid'; field: string; key: string }
  | { ok: false; kind: 'limited'; key: string; retryAfter: number }
  | { ok: false; kind: 'challenge'; key: 'callback.challengeRequired' | 'callback.challengeFailed'; challenge: Challenge };

/** Takes a request in: the number checked and made E.164, the slot checked, the limits counted, then queued (or joined). */
@Injectable()
export class CallbackIntake {
  constructor(
    private readonly requests: CallbackRequests,
    private readonly limits: LimitsService,
    private readonly proofOfWork: LivechatChallenge,
  ) {}

  async submit(settings: CallbackSettings, input: z.output<typeof callbackInput>, from: { ip: string; source: Source }): Promise<IntakeResult> {
    const phone = normalizePhone(input.phone, settings.defaultCountry);
    if ('problem' in phone) return { ok: false, kind: 'invalid', field: 'phone', key: phone.problem };
    const slot = readSlot(input.preferredTime, settings);
    if ('problem' in slot) return { ok: false, kind: 'invalid', field: 'preferredTime', key: slot.problem };
    if (!input.consent) return { ok: false, kind: 'invalid', field: 'consent', key: 'callback.consentRequired' };
    const address = await this.limits.consume('callbackAddress', `${settings.companyId}:${from.ip}`);
    if (!address.allowed) return { ok: false, kind: 'limited', key: 'callback.tooManyFromAddress', retryAfter: address.retryAfterSeconds };
    const used = LIMITS.callbackAddress.rate.points - address.remaining;
    if (used > settings.challengeAfter) {
      // The Livechat's ALTCHA: bound to the widget, expiring, and taken once (a replay is refused).
      const solved = await this.proofOfWork.check(settings.companyId, input.challenge ?? '');
      if (!solved.ok) {
        const key = solved.error === 'livechat.challengeRequired' ? 'callback.challengeRequired' : 'callback.challengeFailed';
        return { ok: false, kind: 'challenge', key, challenge: await this.proofOfWork.challenge(settings.companyId) };
      }
    }
    const number = await this.limits.consume('callbackNumber', `${settings.companyId}:${phone.e164}`);
    if (!number.allowed) return { ok: false, kind: 'limited', key: 'callback.tooManyForNumber', retryAfter: number.retryAfterSeconds };
    if ((await this.requests.countToday(settings.companyId)) >= settings.dailyLimit)
      return { ok: false, kind: 'limited', key: 'callback.companyDailyLimit', retryAfter: secondsToMidnight() };
    const taken = await this.requests.take(settings, {
      phone: phone.e164,
      name: input.name,
      topic: input.topic,
      slot: slot.slot,
      source: from.source,
      sourcePage: input.page,
      consent: input.consent,
    });
    return { ok: true, ...taken, phone: phone.e164 };
  }
}

function secondsToMidnight(): number {
  const now = new Date();
  const midnight = new Date(now);
  midnight.setHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((midnight.getTime() - now.getTime()) / 1000));
}
