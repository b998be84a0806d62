import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** Runs a write; a unique-constraint clash (two admins taking one e-mail at once) becomes `null` instead of a 500. */
export async function unlessDuplicate<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return null;
    throw err;
  }
}
