import { sniffType } from './sniff';

describe('file type from content', () => {
  it.each([
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'image/jpeg'],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png'],
    [Buffer.from('GIF89a....'), 'image/gif'],
    [Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]), 'image/webp'],
    [Buffer.from('%PDF-1.7'), 'application/pdf'],
    [Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
    [Buffer.from('<?xml version="1.0"?><svg></svg>'), 'image/svg+xml'],
    [Buffer.from('<!DOCTYPE html><html></html>'), 'text/html'],
    [Buffer.from('hello <script>alert(1)</script>'), 'text/html'],
    [Buffer.from('plain words'), 'text/plain'],
    [Buffer.from([0, 1, 2, 3]), 'application/octet-stream'],
  ])('recognizes %#', (head, type) => {
    expect(sniffType(head)).toBe(type);
  });
});
