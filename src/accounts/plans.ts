/**
 * The one place that names plans and says what each includes. Every route, socket event, panel entry, menu
 * item and form asks `has(company, feature)`; nothing else compares plan codes. A downgrade hides a feature
 * (its data stays), an upgrade shows it again.
 */
export const PLANS = ['start', 'professional', 'enterprise', 'supreme'] as const;
export type Plan = (typeof PLANS)[number];

export type Feature =
  /** The company chat: panel, conversations, groups, presence, read receipts. */
  | 'chat'
  /** Files in messages. */
  | 'files'
  /** Links between messages and CRM records ("Add task" from a message). */
  | 'crmLinks'
  /** The Help conversation with the operator's support team. */
  | 'help'
  /** Group API tokens (integrations posting into a group). */
  | 'groupTokens'
  | 'livechat'
  | 'callback'
  /** The consultant statuses (Livechat, Callback, both). */
  | 'consultantStatuses';

/** Every feature once (the record makes the compiler ask for a new one here). */
export const FEATURES = Object.keys({
  chat: 1,
  files: 1,
  crmLinks: 1,
  help: 1,
  groupTokens: 1,
  livechat: 1,
  callback: 1,
  consultantStatuses: 1,
} satisfies Record<Feature, 1>) as Feature[];

/** Features of the API add-on: a plan with the chat gets them when the add-on is on. */
const API_ADDON: readonly Feature[] = ['groupTokens', 'livechat', 'callback', 'consultantStatuses'];

/** The feature comes with the API add-on (a refusal says so). */
export function viaApiAddon(feature: Feature): boolean {
  return API_ADDON.includes(feature);
}

const CHAT: readonly Feature[] = ['chat', 'files', 'crmLinks'];

export const PLAN_TABLE: Record<Plan, { names: { en: string; pl: string }; features: readonly Feature[]; apiAddon: boolean }> = {
  start: { names: { en: 'Start', pl: 'Start' }, features: [], apiAddon: false },
  professional: { names: { en: 'Professional', pl: 'Professional' }, features: CHAT, apiAddon: true },
  enterprise: { names: { en: 'Enterprise', pl: 'Enterprise' }, features: [...CHAT, 'help'], apiAddon: true },
  supreme: { names: { en: 'Supreme', pl: 'Supreme' }, features: [...CHAT, 'help'], apiAddon: true },
};

/** A new company's plan unless the operator picks another. */
export const DEFAULT_PLAN: Plan = 'professional';
/** The operator's own company: every feature, so its support team and admins can use all of them. */
export const OPERATOR_PLAN: Plan = 'supreme';

export interface Subscription {
  plan: Plan;
  apiAddon: boolean;
}

export function has(company: Subscription, feature: Feature): boolean {
  const entry = PLAN_TABLE[company.plan];
  if (!entry) return false;
  if (API_ADDON.includes(feature)) return entry.apiAddon && company.apiAddon && entry.features.includes('chat');
  return entry.features.includes(feature);
}

/** The plans that include a feature (with the add-on where it needs it), as a refusal names them. */
export function plansWith(feature: Feature, locale: 'en' | 'pl'): string[] {
  return PLANS.filter((plan) => has({ plan, apiAddon: true }, feature)).map((plan) => PLAN_TABLE[plan].names[locale]);
}

export function planName(plan: Plan, locale: 'en' | 'pl'): string {
  return PLAN_TABLE[plan]?.names[locale] ?? plan;
}

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && (PLANS as readonly string[]).includes(value);
}

/** The plan codes that include a feature (with the add-on where it needs it): for SQL that filters companies by plan. */
export function plansIncluding(feature: Feature): Plan[] {
  return PLANS.filter((plan) => has({ plan, apiAddon: true }, feature));
}
