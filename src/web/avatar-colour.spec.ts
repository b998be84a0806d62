import { AVATAR_COLOURS, avatarColour } from './avatar-colour';

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrastWithWhite = (hex: string) => 1.05 / (luminance(hex) + 0.05);

describe('avatar colours', () => {
  it.each(AVATAR_COLOURS)('%s keeps white initials at 4.5:1 or more', (colour) => {
    expect(contrastWithWhite(colour)).toBeGreaterThanOrEqual(4.5);
  });

  it('gives an id the same colour every time, and colleagues created one after another different ones', () => {
    expect(avatarColour(42)).toBe(avatarColour(42));
    expect(avatarColour('42')).toBe(avatarColour(42));
    const firstTen = Array.from({ length: 10 }, (_, i) => avatarColour(i + 1));
    for (let i = 1; i < firstTen.length; i++) expect(firstTen[i]).not.toBe(firstTen[i - 1]);
    expect(new Set(firstTen).size).toBeGreaterThanOrEqual(6);
  });

  it('answers a colour of the palette for anything it is given', () => {
    for (const odd of [null, undefined, -5, 0, 2 ** 40, 'x']) expect(AVATAR_COLOURS).toContain(avatarColour(odd));
  });
});
