import nunjucks, { Environment } from 'nunjucks';
import { refusalText } from '../accounts/plan-refusal';
import { has, planName, Plan } from '../accounts/plans';
import { VIEWS_DIR } from '../config/paths';
import { ASSET_VERSION } from './asset-version';
import { avatarGlobal } from './avatar';
import { avatarColour } from './avatar-colour';
import { isLocale, Locale } from './i18n/translator';
import { fileSize, initials } from './view-filters';

let shared: Environment | undefined;

/** The page's language, for helpers that templates call without passing it (`this` is the template's context). */
function localeOf(context: unknown): Locale {
  const locale = (context as { ctx?: { locale?: unknown } } | undefined)?.ctx?.locale;
  return isLocale(locale) ? locale : 'en';
}

/** One Nunjucks environment for pages, htmx replies and socket pushes alike, so all three render the same partials. */
export function viewEnvironment(): Environment {
  if (!shared) {
    shared = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), { autoescape: true });
    shared.addFilter('initials', initials);
    shared.addFilter('fileSize', fileSize);
    shared.addGlobal('kindSingular', { companies: 'company', tasks: 'task', notes: 'note', opportunities: 'opportunity' });
    shared.addGlobal('assetVersion', ASSET_VERSION);
    shared.addGlobal('avatar', avatarGlobal);
    shared.addFilter('avatarColour', avatarColour);
    // What the plan table says, so that templates show or leave out a feature the way routes allow or refuse it.
    shared.addGlobal('has', (company: Parameters<typeof has>[0] | undefined, feature: Parameters<typeof has>[1]) => !!company && has(company, feature));
    shared.addGlobal('planName', function (this: unknown, plan: Plan) {
      return planName(plan, localeOf(this));
    });
    shared.addGlobal('planRefusal', function (this: unknown, feature: Parameters<typeof refusalText>[0]) {
      return refusalText(feature, localeOf(this));
    });
  }
  return shared;
}
