/**
 * Avatar backgrounds, each dark enough for white initials at WCAG AA (4.5:1; avatar-colour.spec.ts checks every
 * one). An author's colour comes from their id alone, so it is the same on every page, push and language.
 */
export const AVATAR_COLOURS = [
  '#1d4ed8',
  '#b91c1c',
  '#15803d',
  '#7e22ce',
  '#a16207',
  '#0e7490',
  '#be185d',
  '#4338ca',
  '#c2410c',
  '#0f766e',
  '#475569',
  '#9f1239',
] as const;

/** Consecutive ids (colleagues created together) get far-apart colours, not neighbours in the list. */
export function avatarColour(id: unknown): string {
  const n = Number(id) || 0;
  return AVATAR_COLOURS[(Math.imul(n, 2654435761) >>> 0) % AVATAR_COLOURS.length];
}
