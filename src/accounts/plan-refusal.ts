import { ForbiddenException } from '@nestjs/common';
import { Locale, translator } from '../web/i18n/translator';
import { Feature, has, plansWith, Subscription, viaApiAddon } from './plans';

/** A 403 for a feature outside the company's plan: the error page (or problem) says which plans have it. */
export class FeatureRefused extends ForbiddenException {
  constructor(readonly feature: Feature) {
    super(`${feature} is not in this company's plan`);
  }
}

export function requireFeature(company: Subscription, feature: Feature): void {
  if (!has(company, feature)) throw new FeatureRefused(feature);
}

const lists = { en: new Intl.ListFormat('en-GB', { type: 'conjunction' }), pl: new Intl.ListFormat('pl-PL', { type: 'conjunction' }) };

/** "Chat is available in the Professional, Enterprise and Supreme plans…", with the plans from the table. */
export function refusalText(feature: Feature, locale: Locale): string {
  const t = translator(locale);
  const plans = lists[locale].format(plansWith(feature, locale));
  if (feature === 'chat') return t('chat.planRequired', { plans });
  return t(viaApiAddon(feature) ? 'plans.requiredWithAddon' : 'plans.required', { feature: t(`feature.${feature}`), plans });
}
