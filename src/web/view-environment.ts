import nunjucks, { Environment } from 'nunjucks';
import { VIEWS_DIR } from '../config/paths';
import { ASSET_VERSION } from './asset-version';
import { fileSize, initials } from './view-filters';

let shared: Environment | undefined;

/** One Nunjucks environment for pages, htmx replies and socket pushes alike, so all three render the same partials. */
export function viewEnvironment(): Environment {
  if (!shared) {
    shared = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), { autoescape: true });
    shared.addFilter('initials', initials);
    shared.addFilter('fileSize', fileSize);
    shared.addGlobal('kindSingular', { companies: 'company', tasks: 'task', notes: 'note', opportunities: 'opportunity' });
    shared.addGlobal('assetVersion', ASSET_VERSION);
  }
  return shared;
}
