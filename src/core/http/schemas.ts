/** Schema pieces every feature's routes share. */
import { z } from 'zod';

export const IdParams = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const Text = (max: number) => z.string().trim().min(1).max(max);

/** "a,b" or repeated ?status=a&status=b, as a list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(item).max(50));
}

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  errors: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })).optional(),
});
