import { Migration20261124000000Foundation } from '../../migrations/Migration20261124000000Foundation';

/** Listed here, not globbed, so the same list runs from TypeScript in tests and from dist in production. */
export const migrationsList = [
  { name: 'Migration20261124000000Foundation', class: Migration20261124000000Foundation },
];
