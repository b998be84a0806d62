import Bowser from 'bowser';

/** "Chrome 131 on Windows 10" from a User-Agent, for the consultant; null when it names nothing known. */
export function browserOf(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const { browser, os } = Bowser.parse(userAgent);
  if (!browser.name) return null;
  const version = browser.version?.split('.')[0];
  const system = [os.name, os.versionName ?? os.version].filter(Boolean).join(' ');
  return `${browser.name}${version ? ` ${version}` : ''}${system ? ` · ${system}` : ''}`;
}
