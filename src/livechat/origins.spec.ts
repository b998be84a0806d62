import { allowedOrigin, frameAncestors } from './origins';

describe('Livechat origins', () => {
  const listed = ['https://shop.example.com', 'http://localhost:8080'];

  it('lets in Gwar’s own origin, a listed website, and a request without an Origin', () => {
    expect(allowedOrigin('http://gwar.test:3000', 'gwar.test:3000', listed)).toBe(true);
    expect(allowedOrigin('https://shop.example.com', 'gwar.test', listed)).toBe(true);
    expect(allowedOrigin(undefined, 'gwar.test', listed)).toBe(true);
  });

  it('refuses look-alikes, other ports and schemes, and nonsense', () => {
    for (const origin of ['https://shop.example.com.evil.net', 'http://shop.example.com', 'http://localhost:8081', 'null', '', 'not a url'])
      expect(allowedOrigin(origin || 'x', 'gwar.test', listed)).toBe(false);
  });

  it('names Gwar itself and the listed websites as the only frame ancestors', () => {
    expect(frameAncestors(listed)).toBe("'self' https://shop.example.com http://localhost:8080");
    expect(frameAncestors([])).toBe("'self'");
  });
});
