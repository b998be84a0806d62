import { linkify } from './linkify';

describe('message text to HTML', () => {
  it('escapes markup so a message can never inject HTML', () => {
    expect(linkify('<script>alert("x")</script> & more')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
  });

  it('turns http and https URLs into safe links, leaving trailing punctuation outside', () => {
    expect(linkify('see https://example.com/a?b=1&c=2.')).toBe(
      'see <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">https://example.com/a?b=1&amp;c=2</a>.',
    );
  });

  it('does not link other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,x')).toBe('javascript:alert(1) data:text/html,x');
  });

  it('does not let a URL break out of its attribute', () => {
    expect(linkify('http://x.test/"onmouseover="alert(1)')).toBe(
      '<a href="http://x.test/" rel="noopener noreferrer nofollow" target="_blank">http://x.test/</a>&quot;onmouseover=&quot;alert(1)',
    );
  });
});
