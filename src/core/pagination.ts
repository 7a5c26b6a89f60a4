import { z } from 'zod';
import { Invalid } from './errors';

/** Keyset pagination: the cursor is the last id seen, opaque to clients. Stays fast at any depth. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  const id = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(id) || id <= 0) throw new Invalid('query.cursor', 'invalid_cursor', 'The cursor is not one this API gave out');
  return id;
}

/** Callers fetch limit + 1 rows; the extra one only tells that another page exists. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? Buffer.from(String(last.id)).toString('base64url') : null };
}
