import { Client } from './http-client';

/** The new token, as the token form's answer shows it once. */
export function tokenIn(html: string): string {
  const token = /id="api-token-value"[^>]*value="(gwar_[^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no new API token in the answer: ${html.slice(0, 200)}`);
  return token;
}

/** Generates (or regenerates) a group's API token through its form, as an administrator does, and returns it. */
export async function generateToken(client: Client, groupId: number, fields: Record<string, string> = {}): Promise<string> {
  await client.load(`/chat/groups/${groupId}/api-token`);
  const res = await client.post(`/chat/groups/${groupId}/api-token`, { origins: '', ...fields });
  if (res.status !== 201) throw new Error(`generating the token of group ${groupId} gave ${res.status}`);
  return tokenIn(res.text);
}
