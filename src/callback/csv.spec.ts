import { csvField, csvLine } from './csv';

describe('CSV export', () => {
  it('quotes every field and defuses what a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField('+48600100200')).toBe(`"'+48600100200"`);
    expect(csvField('-2')).toBe(`"'-2"`);
    expect(csvField('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvField('\tx')).toBe(`"'\tx"`);
    expect(csvField('say "hi"')).toBe(`"say ""hi"""`);
    expect(csvField(null)).toBe('""');
    expect(csvLine([1, 'a,b'])).toBe('"1","a,b"\r\n');
  });
});
