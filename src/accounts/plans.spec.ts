import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../config/paths';
import { refusalText } from './plan-refusal';
import { DEFAULT_PLAN, Feature, FEATURES, has, isPlan, OPERATOR_PLAN, planName, PLANS, plansWith } from './plans';

describe('the plan table', () => {
  const withoutAddon: Record<string, Feature[]> = {
    start: [],
    professional: ['chat', 'files', 'crmLinks'],
    enterprise: ['chat', 'files', 'crmLinks', 'help'],
    supreme: ['chat', 'files', 'crmLinks', 'help'],
  };
  const addon: Feature[] = ['groupTokens', 'livechat', 'callback', 'consultantStatuses'];

  it.each(PLANS)('gives the %s plan its features, and the add-on’s only with the add-on and the chat', (plan) => {
    const features = (apiAddon: boolean) => FEATURES.filter((feature) => has({ plan, apiAddon }, feature));
    expect(features(false)).toEqual(withoutAddon[plan]);
    expect(features(true)).toEqual([...withoutAddon[plan], ...(plan === 'start' ? [] : addon)]);
  });

  it('has nothing for a plan it does not know', () => {
    for (const feature of FEATURES) expect(has({ plan: 'gold' as never, apiAddon: true }, feature)).toBe(false);
  });

  it('names the plans that have a feature, in the reader’s language', () => {
    expect(plansWith('chat', 'en')).toEqual(['Professional', 'Enterprise', 'Supreme']);
    expect(plansWith('help', 'pl')).toEqual(['Enterprise', 'Supreme']);
    expect(plansWith('groupTokens', 'en')).toEqual(['Professional', 'Enterprise', 'Supreme']);
    expect(planName('start', 'pl')).toBe('Start');
  });

  it('says in a refusal which plans have the feature', () => {
    expect(refusalText('chat', 'en')).toBe('Chat is available in the Professional, Enterprise and Supreme plans. Ask your administrator to change the plan.');
    expect(refusalText('chat', 'pl')).toBe('Czat jest dostępny w planach Professional, Enterprise i Supreme. Poproś administratora o zmianę planu.');
    expect(refusalText('help', 'en')).toContain('Enterprise and Supreme plans');
    expect(refusalText('groupTokens', 'en')).toContain('API add-on');
  });

  it('starts a new company and the operator on plans of the table', () => {
    expect(isPlan(DEFAULT_PLAN) && isPlan(OPERATOR_PLAN)).toBe(true);
    expect(FEATURES.every((feature) => has({ plan: OPERATOR_PLAN, apiAddon: true }, feature))).toBe(true);
    expect(isPlan('gold')).toBe(false);
  });
});

/**
 * The table is the only place that names plans: anything else asks has(company, feature). Unit specs are left out
 * (their test data may name a plan), and so is any line listed in ALLOWED, each with why it is not a plan check.
 */
describe('plans named in one place', () => {
  const ALLOWED: { file: string; line: string; why: string }[] = [
    {
      file: 'src/accounts/companies.service.ts',
      line: 'const planChanged = company.plan !== input.plan',
      why: 'tells whether to announce a change, gates nothing',
    },
  ];
  const CHECKS: [RegExp, string][] = [
    [/['"`](start|professional|enterprise|supreme)['"`]/, 'a plan code'],
    [/\bplan\s*[!=]==?|[!=]==?\s*[\w.]*\bplan\b(?!\w)/, 'a comparison of plans'],
    [/\bapiAddon\s*&&|&&\s*!?[\w.]*\bapiAddon\b/, 'a check of the API add-on'],
    [/['"`]plan\.['"`]/, 'a plan name looked up outside the table'],
  ];

  function filesUnder(dir: string, pattern: RegExp): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path, pattern) : pattern.test(name) ? [path] : [];
    });
  }

  it('finds no plan code, plan comparison or add-on check outside src/accounts/plans.ts', () => {
    const files = [...filesUnder(join(ROOT, 'src'), /\.ts$/), ...filesUnder(join(ROOT, 'views'), /\.njk$/)]
      .map((path) => relative(ROOT, path))
      .filter((file) => file !== join('src', 'accounts', 'plans.ts') && !file.endsWith('.spec.ts'));
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (ALLOWED.some((allowed) => allowed.file === file && line.includes(allowed.line))) return;
          for (const [pattern, what] of CHECKS) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('catches the checks it is there to catch', () => {
    const caught = (line: string) => CHECKS.some(([pattern]) => pattern.test(line));
    expect(caught("if (company.plan === 'start') return;")).toBe(true);
    expect(caught('const chat = me.company.plan !== PLAN;')).toBe(true);
    expect(caught('const livechat = company.apiAddon && user.livechatConfigured;')).toBe(true);
    expect(caught("{{ t('plan.' + company.plan) }}")).toBe(true);
    expect(caught("if (has(company, 'chat')) return;")).toBe(false);
    expect(caught('company.plan = input.plan;')).toBe(false);
  });
});
