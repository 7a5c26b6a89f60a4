import path from 'node:path';
import { z } from 'zod';

/** Configuration comes from the environment, validated like any other input. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  KEPT_DATA_DIR: z.string().default('./data'),
  KEPT_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  KEPT_TIMER_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  KEPT_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface Config {
  port: number;
  host: string;
  /** An external PostgreSQL server; when absent Kept runs its own in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedDbPort: number;
  timerIntervalMs: number;
  secureCookies: boolean;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.KEPT_DATA_DIR),
    embeddedDbPort: e.KEPT_DB_PORT,
    timerIntervalMs: e.KEPT_TIMER_INTERVAL_MS,
    secureCookies: e.KEPT_SECURE_COOKIES === 'true',
    logLevel: e.LOG_LEVEL,
  };
}
