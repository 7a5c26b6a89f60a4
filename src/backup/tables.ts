/**
 * What a backup is made of: every table of the public schema (in an order where a table comes
 * after the tables it references), its columns as COPY sees them (generated columns are
 * computed again on restore), and every sequence.
 */
import type pg from 'pg';

export interface TableInfo { name: string; columns: string[] }

export const FORMAT = 'kept-backup/1';

/** Quoted identifier (names come from the catalogue, but a quote never hurts). */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function listTables(client: pg.Client): Promise<TableInfo[]> {
  const tables = (await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' AND NOT c.relispartition
    ORDER BY 1`)).rows.map((r) => r.name);
  const columns = (await client.query<{ table: string; column: string }>(`
    SELECT c.relname AS table, a.attname AS column FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    ORDER BY c.relname, a.attnum`)).rows;
  const refs = (await client.query<{ from: string; to: string }>(`
    SELECT DISTINCT c.relname AS from, r.relname AS to FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype = 'f' AND n.nspname = 'public' AND c.oid <> r.oid`)).rows;
  // Kahn's order: referenced tables first. A cycle (none today) falls back to name order.
  const pending = new Map(tables.map((t) => [t, new Set(refs.filter((r) => r.from === t && tables.includes(r.to)).map((r) => r.to))]));
  const ordered: string[] = [];
  while (pending.size) {
    const ready = [...pending].filter(([, deps]) => [...deps].every((d) => !pending.has(d))).map(([t]) => t);
    const next = ready.length ? ready : [[...pending.keys()][0]!];
    for (const t of next) {
      ordered.push(t);
      pending.delete(t);
    }
  }
  return ordered.map((name) => ({ name, columns: columns.filter((c) => c.table === name).map((c) => c.column) }));
}

export async function listSequences(client: pg.Client): Promise<{ name: string; lastValue: string; isCalled: boolean }[]> {
  const names = (await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY 1`)).rows.map((r) => r.name);
  const out = [];
  for (const name of names) {
    const r = (await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${ident(name)}`)).rows[0]!;
    out.push({ name, lastValue: r.last_value, isCalled: r.is_called });
  }
  return out;
}

export interface Manifest {
  format: string;
  createdAt: string;
  source: { engine: 'embedded' | 'server'; serverVersion: string };
  migrations: string[];
  tables: { name: string; columns: string[]; rows: number; sha256: string }[];
  sequences: { name: string; lastValue: string; isCalled: boolean }[];
  attachments: { sha256: string; size: number }[];
  /** Attachments named in the database whose file was not found when the backup was taken. */
  missingAttachments: string[];
}

/** Written first, so a restore can build the schema before the data arrives. */
export interface Header {
  format: string;
  createdAt: string;
  migrations: string[];
  tables: TableInfo[];
  totalRows: number;
}

export interface Progress {
  phase: 'tables' | 'attachments' | 'verify' | 'done';
  table?: string;
  rows: number;
  totalRows: number;
  bytes: number;
}
