import { Locator, Page } from 'playwright-core';
import { User } from '../../src/accounts/user.entity';
import { PASSWORD } from '../support/factories';
import { BrowserUser, Harness, htmxReady } from './harness';

/** Signs in through the form and waits until the chat's socket is up. */
export async function signInToChat(h: Harness, user: User, label: string): Promise<BrowserUser> {
  const person = await h.newUser({ label });
  const { page } = person;
  await page.goto('/login');
  await htmxReady(page);
  await page.getByLabel('E-mail', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `Welcome, ${user.name}` }).waitFor();
  await chatReady(page);
  return person;
}

export async function chatReady(page: Page): Promise<void> {
  await htmxReady(page);
  await page.locator('html[data-chat-socket="connected"]').waitFor({ state: 'attached' });
}

/** Opens the conversation with a colleague (or a group) from the panel and returns its window. */
export async function openFromPanel(page: Page, entryKey: string, title: string): Promise<Locator> {
  await page.locator(`#entry-${entryKey} a`).click();
  const win = page.locator('section.chat-window', { has: page.getByRole('heading', { name: title }) });
  await win.waitFor();
  return win;
}

export async function sendMessage(win: Locator, text: string): Promise<void> {
  const box = win.getByLabel('Message', { exact: true });
  await box.click();
  await box.fill(text);
  await box.press('Enter');
}
