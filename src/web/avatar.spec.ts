import { avatarHtml } from './avatar';
import { avatarColour } from './avatar-colour';

describe('avatars', () => {
  it('draws a member as initials on the colour of their id, hidden from screen readers', () => {
    const html = avatarHtml({ kind: 'user', id: 7, name: 'Ann Reader' }, 'md', 'msg-avatar');
    expect(html).toBe(`<span class="avatar avatar-md msg-avatar" style="background-color: ${avatarColour(7)}" aria-hidden="true">AR</span>`);
  });

  it('draws an integration as a bot, never like a member with the same id and name', () => {
    const bot = avatarHtml({ kind: 'bot', id: 7, name: 'Ann Reader' });
    expect(bot).toContain('class="avatar avatar-md avatar-bot"');
    expect(bot).toContain('<svg class="bot-mark"');
    expect(bot).not.toBe(avatarHtml({ kind: 'user', id: 7, name: 'Ann Reader' }));
  });

  it('draws the support team in the Help colour, whoever answers', () => {
    expect(avatarHtml({ kind: 'support', id: 3, name: 'Sam Support' })).toBe('<span class="avatar avatar-md avatar-support" aria-hidden="true">SS</span>');
  });

  it('escapes a hostile name (an integration chooses its own display name)', () => {
    const html = avatarHtml({ kind: 'bot', id: 1, name: '<img src=x onerror=alert(1)> "x' });
    expect(html).not.toMatch(/<img|"x/);
    expect(html).toContain('&lt;&quot;');
  });
});
