import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Browser tests drive Debian's Chromium with playwright-core against the whole app on a random port,
 * in a schema of its own. No browser is ever downloaded: without /usr/bin/chromium the tests are skipped, loudly.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const ROOT = join(__dirname, '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-results');
const AXE_SOURCE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
/** How long a single wait (a click, a heading to appear) may take before the step fails. */
const STEP_TIMEOUT = 10_000;

export const browserAvailable = existsSync(CHROMIUM);

/** `describe` when Chromium is installed, otherwise `describe.skip` with the reason printed. */
export function describeBrowser(name: string, fn: () => void): void {
  if (browserAvailable) return describe(name, fn);
  console.warn(`Skipping browser tests "${name}": no Chromium at ${CHROMIUM} (install Debian's chromium package; no browser is downloaded).`);
  describe.skip(name, fn);
}

/** One person at the keyboard: a browser context of their own (cookies, language) and its page. */
export interface BrowserUser {
  label: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, printed when a test fails. */
  errors: string[];
}

export interface UserOptions {
  /** Shown in screenshot names; user-1, user-2… by default. */
  label?: string;
  /** The browser's language, sent as Accept-Language; 'en-US' by default. */
  locale?: string;
}

export interface Harness {
  app: TestApp;
  url: string;
  browser: Browser;
  /** A new independent browser context (own cookies) with its page, baseURL set to the app. */
  newUser(options?: UserOptions): Promise<BrowserUser>;
  users(): BrowserUser[];
  /** Saves a full-page screenshot of every open page under test-results/ and returns the paths. */
  screenshotAll(testName: string): Promise<string[]>;
  close(): Promise<void>;
}

const openHarnesses = new Set<Harness>();

/** Starts the app on a fresh schema and a Chromium; call in beforeAll and close in afterAll. */
export async function openHarness(env: Record<string, string> = {}): Promise<Harness> {
  if (!browserAvailable) throw new Error(`no Chromium at ${CHROMIUM}`);
  const app = await startTestApp(env);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (err) {
    await app.close();
    throw err;
  }
  const users: BrowserUser[] = [];

  const harness: Harness = {
    app,
    url: app.url,
    browser,
    users: () => users.filter((user) => !user.page.isClosed()),

    async newUser(options = {}) {
      const label = options.label ?? `user-${users.length + 1}`;
      const context = await browser.newContext({ baseURL: app.url, locale: options.locale ?? 'en-US' });
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const user: BrowserUser = { label, context, page, errors: [] };
      page.on('pageerror', (error) => user.errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') user.errors.push(`console: ${message.text()}`);
      });
      users.push(user);
      return user;
    },

    async screenshotAll(testName) {
      await mkdir(RESULTS_DIR, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const base = testName.replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
      const paths: string[] = [];
      for (const user of harness.users()) {
        const path = join(RESULTS_DIR, `${base}--${user.label}--${stamp}.png`);
        try {
          await user.page.screenshot({ path, fullPage: true, timeout: 5_000 });
          paths.push(path);
        } catch (err) {
          console.warn(`Could not screenshot ${user.label}: ${(err as Error).message}`);
        }
      }
      return paths;
    },

    async close() {
      openHarnesses.delete(harness);
      await browser.close().catch(() => undefined);
      await app.close();
    },
  };
  openHarnesses.add(harness);
  return harness;
}

/**
 * A test that, when it fails, keeps a screenshot of every open page (of every open harness) in test-results/,
 * prints their paths and the pages' errors, then fails with the original error.
 */
export function browserTest(name: string, fn: () => Promise<void>, timeout?: number): void {
  it(
    name,
    async () => {
      try {
        await fn();
      } catch (error) {
        const testName = expect.getState().currentTestName ?? name;
        const lines: string[] = [];
        for (const harness of openHarnesses) {
          for (const path of await harness.screenshotAll(testName)) lines.push(`  screenshot: ${path}`);
          for (const user of harness.users()) {
            lines.push(`  ${user.label} was at ${user.page.url()}`);
            for (const line of user.errors) lines.push(`  ${user.label} ${line}`);
          }
        }
        console.error(`Browser test failed: ${testName}\n${lines.join('\n')}`);
        throw error;
      }
    },
    timeout,
  );
}

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

let axeSource: Promise<string> | undefined;

/** The rules run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Runs axe-core on the page as it is now and answers its serious and critical violations.
 * The source is evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not apply to.
 */
export async function axeViolations(page: Page, options: { exclude?: string[] } = {}): Promise<AxeViolation[]> {
  axeSource ??= readFile(AXE_SOURCE, 'utf8');
  const source = await axeSource;
  if (!(await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined'))) {
    await page.evaluate(source);
  }
  const violations = await page.evaluate(
    async ({ exclude, tags }) => {
      const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
      const context = exclude.length ? { exclude: exclude.map((selector) => [selector]) } : document;
      const result = await axe.run(context, { resultTypes: ['violations'], runOnly: { type: 'tag', values: tags } });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
      }));
    },
    { exclude: options.exclude ?? [], tags: AXE_TAGS },
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function axeReport(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    at ${JSON.stringify(n.target)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`);
      return `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/** Fails listing every serious or critical violation axe finds on the page as it is now. */
export async function expectAccessible(page: Page, options: { exclude?: string[] } = {}): Promise<void> {
  const serious = await axeViolations(page, options);
  if (serious.length === 0) return;
  throw new Error(`axe found ${serious.length} serious/critical accessibility violation(s) on ${page.url()}:\n${axeReport(serious)}`);
}

/** Waits until htmx has loaded and wired up every hx-* element, so a submit goes through htmx, not the plain form. */
export async function htmxReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () => 'htmx' in window && !document.querySelector('[hx-get]:not([data-htmx-powered]),[hx-post]:not([data-htmx-powered])'),
  );
}

/** Fails when a page threw an uncaught error or the browser reported a CSP violation. */
export function expectNoPageErrors(user: BrowserUser): void {
  const bad = user.errors.filter((line) => line.startsWith('page error:') || /Content Security Policy/i.test(line));
  if (bad.length) throw new Error(`${user.label} had page errors:\n${bad.join('\n')}`);
}
