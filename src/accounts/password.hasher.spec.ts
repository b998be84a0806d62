import { hashPassword, verifyPassword } from './password.hasher';

describe('password hashing', () => {
  it('stores a salted, memory-hard scrypt hash that verifies only the right password', async () => {
    const hash = await hashPassword('zażółć gęślą jaźń');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('zażółć');
    expect(await verifyPassword('zażółć gęślą jaźń', hash)).toBe(true);
    expect(await verifyPassword('zazolc gesla jazn', hash)).toBe(false);
    expect(await hashPassword('zażółć gęślą jaźń')).not.toBe(hash);
  });

  it('refuses missing or malformed hashes', async () => {
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$4$5')).toBe(false);
  });
});
