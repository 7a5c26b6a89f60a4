import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

export class CliError extends Error {}

/** Flags are parsed by node:util and validated by zod like every other input. */
export function parseFlags<T extends z.ZodType>(args: string[], options: ParseArgsConfig['options'], schema: T, help: string): z.output<T> | null {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${help}`);
  }
  if (values.help) {
    console.log(help);
    return null;
  }
  delete values.help;
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`);
    throw new CliError(`Invalid options:\n${lines.join('\n')}\n\n${help}`);
  }
  return parsed.data;
}
