/** Who a message mentions among a group's members: @all (or @everyone) for all of them, else @Full Name or @Firstname. */
export function mentionedIn(body: string, members: { userId: number; name: string }[]): number[] {
  if (!body.includes('@')) return [];
  const text = body.toLocaleLowerCase();
  if (/(^|[^\w@])@(all|everyone)(?![\w])/u.test(text)) return members.map((m) => m.userId);
  const at = (name: string) => {
    const needle = `@${name.toLocaleLowerCase()}`;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      const before = i === 0 ? '' : text[i - 1];
      const after = text[i + needle.length] ?? '';
      if (!/[\p{L}\p{N}_@]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    }
    return false;
  };
  // A first name mentions its owner only when no other member of the group shares it.
  const firstNames = new Map<string, number>();
  for (const m of members) {
    const first = m.name.trim().split(/\s+/)[0]?.toLocaleLowerCase() ?? '';
    firstNames.set(first, (firstNames.get(first) ?? 0) + 1);
  }
  return members
    .filter((m) => {
      const first = m.name.trim().split(/\s+/)[0] ?? '';
      return at(m.name.trim()) || (first.length > 1 && firstNames.get(first.toLocaleLowerCase()) === 1 && at(first));
    })
    .map((m) => m.userId);
}
