import { cleanFileName, contentDisposition } from './file-name';

describe('file names', () => {
  it('drops paths and control characters and keeps any script', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\ann\\raport.pdf')).toBe('raport.pdf');
    expect(cleanFileName('zażółć\u0000 gęślą\u202e.txt')).toBe('zażółć gęślą.txt');
    expect(cleanFileName('日本語のファイル.png')).toBe('日本語のファイル.png');
    expect(cleanFileName('   ')).toBe('file');
  });

  it('shortens very long names to 255 characters, keeping the extension', () => {
    const name = cleanFileName(`${'ą'.repeat(400)}.jpeg`);
    expect([...name]).toHaveLength(255);
    expect(name.endsWith('.jpeg')).toBe(true);
  });

  it('offers an ASCII fallback and the UTF-8 name for downloads', () => {
    expect(contentDisposition('attachment', 'faktura "1".pdf')).toBe(`attachment; filename="faktura _1_.pdf"; filename*=UTF-8''faktura%20%221%22.pdf`);
    expect(contentDisposition('inline', 'żółw.png')).toBe(`inline; filename="___w.png"; filename*=UTF-8''%C5%BC%C3%B3%C5%82w.png`);
  });
});
