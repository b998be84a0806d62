import { browserOf } from './browser';

describe('browserOf', () => {
  it('names the browser, its major version and the system', () => {
    expect(browserOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toBe(
      'Chrome 131 · Windows 10',
    );
    expect(
      browserOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'),
    ).toMatch(/^Safari 17 · iOS 17/);
    expect(browserOf('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox 128 · Linux');
  });

  it('says nothing for no or an unknown User-Agent', () => {
    expect(browserOf(null)).toBeNull();
    expect(browserOf('')).toBeNull();
    expect(browserOf('curl-ish/0')).toBeNull();
  });
});
