import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../../accounts/plans';
import { ROLES } from '../../accounts/user.entity';
import { KINDS } from '../../crm/crm-kinds';
import { STATUSES } from '../../presence/statuses';
import { ROOT } from '../../config/paths';
import { catalogKeys, localeFromAcceptLanguage, translator } from './translator';

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, pattern) : pattern.test(name) ? [path] : [];
  });
}

/** Every literal key the templates and the code ask for: t('key') in views, 'form.x' style error keys in code. */
function usedKeys(): Set<string> {
  const keys = new Set<string>();
  for (const file of filesUnder(join(ROOT, 'views'), /\.njk$/)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9.]*[a-zA-Z0-9])'/g)) keys.add(m[1]);
  }
  // Keys built from a prefix and a value: every value needs its text.
  for (const role of ROLES) keys.add(`role.${role}`);
  for (const feature of FEATURES) keys.add(`feature.${feature}`);
  for (const status of STATUSES) keys.add(`presence.status.${status}`);
  for (const shown of ['available', 'busy', 'offline']) keys.add(`presence.shown.${shown}`);
  for (const kind of ['group_added', 'task_assigned']) keys.add(`notifications.${kind}`);
  for (const kind of KINDS) {
    for (const prefix of ['crm.kind.', 'crm.new.', 'crm.one.', 'crm.createdFrom.']) keys.add(prefix + (prefix === 'crm.kind.' ? kind.slug : kind.singular));
    for (const field of kind.fields) {
      keys.add(`crm.field.${field.name}`);
      if (field.type === 'choice' && field.name !== 'currency') for (const c of field.choices!) keys.add(`crm.${field.name}.${c}`);
    }
  }
  for (const file of filesUnder(join(ROOT, 'src'), /\.ts$/).filter((f) => !f.endsWith('.spec.ts') && !f.includes('i18n'))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bt\('([a-zA-Z0-9.]+)'/g)) keys.add(m[1]);
    for (const m of source.matchAll(/[=?:]\s*'((?:form|auth|users|error|chat|groups|presence|crm|files)\.[a-zA-Z0-9.]+)'/g)) keys.add(m[1]);
  }
  return keys;
}

describe('translations', () => {
  it('has the same keys in Polish and English', () => {
    expect(catalogKeys('pl').sort()).toEqual(catalogKeys('en').sort());
  });

  it('has every key the interface uses, in both languages', () => {
    const used = [...usedKeys()];
    expect(used.length).toBeGreaterThan(50);
    for (const locale of ['pl', 'en'] as const) {
      const missing = used.filter((key) => !catalogKeys(locale).includes(key));
      expect({ locale, missing }).toEqual({ locale, missing: [] });
    }
  });

  it('has no empty or untranslated-looking texts', () => {
    const t = translator('pl');
    for (const key of catalogKeys('pl')) expect(t(key).trim()).not.toBe('');
  });

  it('fills in parameters', () => {
    expect(translator('pl')('home.welcome', { name: 'Ania' })).toBe('Witaj, Ania');
    expect(translator('en')('home.welcome', { name: 'Ann' })).toBe('Welcome, Ann');
  });

  it('picks the best of our languages from the browser’s', () => {
    expect(localeFromAcceptLanguage('pl-PL,pl;q=0.9,en-US;q=0.8')).toBe('pl');
    expect(localeFromAcceptLanguage('de-DE,en;q=0.5,pl;q=0.4')).toBe('en');
    expect(localeFromAcceptLanguage('fr;q=0.9, pl;q=0.8')).toBe('pl');
    expect(localeFromAcceptLanguage('')).toBe('en');
    expect(localeFromAcceptLanguage(undefined)).toBe('en');
  });
});
