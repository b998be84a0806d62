import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** The pictures and the document the demo's people send, drawn here so that the demo needs no files of its own. */
export type DemoFileName = 'chart' | 'booth' | 'mockup' | 'offer';

const bars = (values: number[], colour: string) =>
  values.map((v, i) => `<rect x="${90 + i * 105}" y="${440 - v * 3.4}" width="62" height="${v * 3.4}" rx="6" fill="${colour}"/>`).join('');

/** A bar chart of a quarter's sales. */
function chart(): Buffer {
  const grid = [0, 1, 2, 3, 4].map((i) => `<line x1="70" x2="760" y1="${440 - i * 85}" y2="${440 - i * 85}" stroke="#d6dde6" stroke-width="2"/>`).join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500">
    <rect width="800" height="500" fill="#ffffff"/>
    <rect x="0" y="0" width="800" height="56" fill="#1f6f54"/>
    ${grid}
    ${bars([42, 55, 61, 58, 73, 88, 97], '#2f9e75')}
    <polyline points="121,300 226,262 331,240 436,246 541,200 646,150 751,110" fill="none" stroke="#e07b39" stroke-width="6" stroke-linejoin="round"/>
    <line x1="70" x2="70" y1="90" y2="440" stroke="#56616e" stroke-width="3"/>
    <line x1="70" x2="770" y1="440" y2="440" stroke="#56616e" stroke-width="3"/>
  </svg>`);
}

/** A "photo" of a trade-fair stand: sky, hall, a stand with a banner and a counter. */
function booth(): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
    <defs>
      <linearGradient id="hall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#33414f"/><stop offset="1" stop-color="#8a97a4"/></linearGradient>
      <linearGradient id="floor" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#b9a98f"/><stop offset="1" stop-color="#6f604b"/></linearGradient>
      <radialGradient id="light" cx="0.5" cy="0.1" r="0.7"><stop offset="0" stop-color="#fff8d8" stop-opacity="0.9"/><stop offset="1" stop-color="#fff8d8" stop-opacity="0"/></radialGradient>
    </defs>
    <rect width="1200" height="800" fill="url(#hall)"/>
    <rect y="560" width="1200" height="240" fill="url(#floor)"/>
    <rect x="250" y="170" width="700" height="400" fill="#f4f6f8"/>
    <rect x="250" y="170" width="700" height="110" fill="#1f6f54"/>
    <circle cx="330" cy="225" r="38" fill="#ffffff"/>
    <rect x="390" y="205" width="420" height="40" rx="8" fill="#ffffff" opacity="0.85"/>
    <rect x="330" y="330" width="230" height="150" rx="6" fill="#223040"/>
    <rect x="345" y="345" width="200" height="120" fill="#3aa57f"/>
    <rect x="620" y="320" width="260" height="170" rx="6" fill="#e07b39" opacity="0.9"/>
    <rect x="300" y="470" width="600" height="100" rx="8" fill="#d9dee4"/>
    <rect x="300" y="470" width="600" height="22" fill="#1f6f54"/>
    <ellipse cx="600" cy="130" rx="520" ry="220" fill="url(#light)"/>
    <circle cx="160" cy="520" r="40" fill="#2b2f36"/><rect x="125" y="560" width="70" height="170" rx="30" fill="#3b4a5e"/>
    <circle cx="1040" cy="500" r="42" fill="#2b2f36"/><rect x="1003" y="542" width="74" height="180" rx="32" fill="#7a3b3b"/>
  </svg>`);
}

/** A flyer's layout sketch. */
function mockup(): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="600" height="850">
    <rect width="600" height="850" fill="#fbfaf7"/>
    <rect x="40" y="40" width="520" height="300" rx="12" fill="#2f9e75"/>
    <circle cx="460" cy="140" r="70" fill="#f6c344"/>
    <rect x="70" y="250" width="300" height="34" rx="6" fill="#ffffff"/>
    <rect x="40" y="380" width="520" height="26" rx="5" fill="#223040"/>
    <rect x="40" y="424" width="430" height="16" rx="4" fill="#9aa6b2"/>
    <rect x="40" y="452" width="480" height="16" rx="4" fill="#9aa6b2"/>
    <rect x="40" y="480" width="380" height="16" rx="4" fill="#9aa6b2"/>
    <rect x="40" y="540" width="160" height="160" rx="10" fill="#e07b39"/>
    <rect x="220" y="540" width="160" height="160" rx="10" fill="#3b7dd8"/>
    <rect x="400" y="540" width="160" height="160" rx="10" fill="#8e5bd6"/>
    <rect x="180" y="740" width="240" height="56" rx="28" fill="#1f6f54"/>
  </svg>`);
}

/** A one-page PDF written by hand (the standard fonts cover ASCII only, so the text keeps to it). */
function pdf(lines: string[]): Buffer {
  const text = lines.map((line, i) => `BT /F1 ${i === 0 ? 20 : 12} Tf 60 ${760 - i * 28} Td (${line.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export interface DemoFiles {
  /** The file on disk and the name it is sent under. */
  path(name: DemoFileName): string;
  remove(): Promise<void>;
}

/** Draws the demo's files into a temporary folder; `offerLines` is the PDF's text (the company's language). */
export async function drawDemoFiles(offerLines: string[]): Promise<DemoFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'gwar-demo-'));
  const paths: Record<DemoFileName, string> = {
    chart: join(dir, 'chart.png'),
    booth: join(dir, 'booth.jpg'),
    mockup: join(dir, 'mockup.png'),
    offer: join(dir, 'offer.pdf'),
  };
  await sharp(chart()).png().toFile(paths.chart);
  await sharp(booth()).jpeg({ quality: 82 }).toFile(paths.booth);
  await sharp(mockup()).png().toFile(paths.mockup);
  await writeFile(paths.offer, pdf(offerLines));
  return { path: (name) => paths[name], remove: () => rm(dir, { recursive: true, force: true }) };
}
