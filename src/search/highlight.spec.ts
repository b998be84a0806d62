import { highlightedHtml, MARK_END, MARK_START } from './highlight';
import { readSearchInput } from './search-input';

describe('the highlighted excerpt', () => {
  it('escapes what the author wrote and marks only the matched words', () => {
    expect(highlightedHtml(`${MARK_START}faktura${MARK_END} <img src=x onerror=alert(1)> "a" & 'b'`)).toBe(
      '<mark>faktura</mark> &lt;img src=x onerror=alert(1)&gt; &quot;a&quot; &amp; &#39;b&#39;',
    );
  });
});

describe('the search input', () => {
  it('takes a string query, trimmed and cut, without control or private-use characters', () => {
    expect(readSearchInput({ q: ['a', 'b'] }).q).toBe('');
    expect(readSearchInput({ q: `  x\u0000y${MARK_START} ` }).q).toBe('x y');
    expect(readSearchInput({ q: 'a'.repeat(5000) }).q).toHaveLength(200);
  });

  it('reads a cursor of rank and id and ignores anything else', () => {
    expect(readSearchInput({ after: '0.0607927_123' }).after).toEqual({ rank: '0.0607927', id: 123 });
    expect(readSearchInput({ after: '1e-20_5' }).after).toEqual({ rank: '1e-20', id: 5 });
    expect(readSearchInput({ after: 'NaN_5' }).after).toBeNull();
    expect(readSearchInput({ after: '1.5e-05_5' }).after).toEqual({ rank: '1.5e-05', id: 5 });
    expect(readSearchInput({ after: "0.1_1' or 1=1" }).after).toBeNull();
    expect(readSearchInput({ after: ['0.1_1'] }).after).toBeNull();
  });
});
