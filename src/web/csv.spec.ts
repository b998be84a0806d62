import { csvCell, csvRow } from './csv';

describe('CSV cells', () => {
  it('quotes every cell and doubles its quotes', () => {
    expect(csvRow(['a', 'say "hi"', 3, null])).toBe('"a","say ""hi""","3",""\r\n');
    expect(csvCell('line one\nline two, with a comma')).toBe('"line one\nline two, with a comma"');
  });

  it('defuses what a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+48 600', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad)).toBe(`"'${bad}"`);
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('a=1')).toBe('"a=1"');
    expect(csvCell('+48600100200')).toBe(`"'+48600100200"`);
    expect(csvRow([1, 'a,b'])).toBe('"1","a,b"\r\n');
  });

  it('writes dates as ISO 8601', () => {
    expect(csvCell(new Date('2026-12-02T10:00:00Z'))).toBe('"2026-12-02T10:00:00.000Z"');
  });
});
