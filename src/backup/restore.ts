/**
 * Restore into an empty database: build the schema the backup was taken with (its migrations),
 * COPY every table in, set every sequence, and commit only when each table's row count and
 * SHA-256 match the manifest. Anything wrong (a damaged archive, a mismatch) rolls the whole
 * load back, so the target is never left half-restored.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import tar from 'tar-stream';
import { migrate, pendingMigrations } from '../core/db/migrate';
import { FORMAT, ident, type Header, type Manifest, type Progress } from './tables';

export class RestoreRefused extends Error {}

interface ForeignKey { table: string; name: string; def: string }
interface Copying { table: string; stream: Writable; done: Promise<void> }

export interface RestoreOptions {
  attachmentsDir: string;
  /** The attachments already live in attachmentsDir (a move that keeps the folder): only check them. */
  attachmentsInPlace?: boolean;
  onProgress?: (p: Progress) => void;
}

/** Empty: no tables at all, or a freshly migrated Kept nobody has used (no staff, customers or cases). */
export async function assertEmpty(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = new Set((await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.t));
    if (!tables.size) return;
    const kept = ['schema_migrations', 'staff', 'customers', 'cases'].every((t) => tables.has(t));
    if (kept) {
      const used = (await client.query('SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM cases) AS n')).rows[0].n;
      if (Number(used) === 0) return;
    }
    throw new RestoreRefused(`The target database is not empty (${tables.size} tables${kept ? ', with staff, customers or cases' : ''}); restore only into an empty database`);
  } finally {
    await client.end();
  }
}

async function readEntry(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export async function restoreBackup(url: string, input: Readable, opts: RestoreOptions): Promise<Manifest> {
  await assertEmpty(url);
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);

  let header: Header | null = null;
  let manifest: Manifest | null = null;
  let client: pg.Client | null = null;
  const loaded = new Map<string, { rows: number; hash: ReturnType<typeof createHash> }>();
  const received = new Map<string, number>();
  let copying = null as Copying | null;
  let foreignKeys: ForeignKey[] = [];
  const progress: Progress = { phase: 'tables', rows: 0, totalRows: 0, bytes: 0 };
  const endCopy = async () => {
    if (!copying) return;
    copying.stream.end();
    await copying.done;
    copying = null;
  };

  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      if (name === 'header.json') {
        header = JSON.parse((await readEntry(entry)).toString('utf8')) as Header;
        if (header.format !== FORMAT) throw new RestoreRefused(`Not a Kept backup (format ${String(header.format)})`);
        const unknown = header.migrations.filter((m) => !KNOWN.has(m));
        if (unknown.length) throw new RestoreRefused(`This backup comes from a newer Kept (migrations ${unknown.join(', ')}); restore it with that version`);
        progress.totalRows = header.totalRows;
        await migrate(url, { only: header.migrations });
        client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query('BEGIN');
        // Migrations may have seeded rows; the backup holds their current state.
        await client.query(`TRUNCATE ${header.tables.map((t) => ident(t.name)).join(', ')} CASCADE`);
        // Our own triggers (live-update NOTIFYs) stay quiet while history is loaded. Foreign keys
        // are set aside and added again after the load, which checks every row at once (tables
        // that reference each other load in any order).
        for (const t of header.tables) await client.query(`ALTER TABLE ${ident(t.name)} DISABLE TRIGGER USER`);
        foreignKeys = (await client.query<ForeignKey>(`SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def
          FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1, 2`)).rows;
        for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${ident(fk.name)}`);
        continue;
      }
      if (!header || !client) throw new RestoreRefused('Not a Kept backup (header.json must come first)');
      if (name.startsWith('data/')) {
        const table = name.split('/')[1]!;
        const info = header.tables.find((t) => t.name === table);
        if (!info) throw new RestoreRefused(`The archive holds data for an unknown table ${table}`);
        if (copying?.table !== table) {
          await endCopy();
          const stream: Writable = client.query(copyFrom(`COPY ${ident(table)} (${info.columns.map(ident).join(', ')}) FROM STDIN`));
          copying = { table, stream, done: finished(stream) };
          copying.done.catch(() => {});
          loaded.set(table, { rows: 0, hash: createHash('sha256') });
          progress.table = table;
        }
        const body = await readEntry(entry);
        const l = loaded.get(table)!;
        l.hash.update(body);
        for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) l.rows += 1;
        progress.bytes += body.length;
        if (!copying!.stream.write(body)) await Promise.race([new Promise((r) => copying!.stream.once('drain', r)), copying!.done]);
        progress.rows = [...loaded.values()].reduce((a, x) => a + x.rows, 0);
        opts.onProgress?.(progress);
        continue;
      }
      await endCopy();
      if (name.startsWith('attachments/')) {
        progress.phase = 'attachments';
        const body = await readEntry(entry);
        const sha = path.basename(name);
        if (createHash('sha256').update(body).digest('hex') !== sha) throw new RestoreRefused(`Attachment ${sha} is damaged in the archive`);
        received.set(sha, body.length);
        const file = path.join(opts.attachmentsDir, sha.slice(0, 2), sha);
        if (!opts.attachmentsInPlace) await writeDurably(file, body);
        progress.bytes += body.length;
        opts.onProgress?.(progress);
        continue;
      }
      if (name === 'manifest.json') {
        manifest = JSON.parse((await readEntry(entry)).toString('utf8')) as Manifest;
        continue;
      }
      entry.resume();
    }
    await endCopy();
    if (!header || !client) throw new RestoreRefused('Not a Kept backup (no header.json)');
    if (!manifest) throw new RestoreRefused('The archive is incomplete: its manifest is missing (was the backup interrupted?)');
    progress.phase = 'verify';
    opts.onProgress?.(progress);
    await verify(client, manifest, loaded, received, opts);
    for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${ident(fk.name)} ${fk.def}`);
    for (const s of manifest.sequences) await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [ident(s.name), s.lastValue, s.isCalled]);
    await renumberEventStream(client, header);
    for (const t of header.tables) await client.query(`ALTER TABLE ${ident(t.name)} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
    opts.onProgress?.({ ...progress, phase: 'done' });
    return manifest;
  } catch (e) {
    extract.destroy();
    copying?.stream.destroy();
    await client?.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client?.end().catch(() => {});
  }
}

async function verify(client: pg.Client, manifest: Manifest, loaded: Map<string, { rows: number; hash: ReturnType<typeof createHash> }>, received: Map<string, number>, opts: RestoreOptions) {
  const problems: string[] = [];
  const empty = createHash('sha256').digest('hex');
  for (const t of manifest.tables) {
    const l = loaded.get(t.name);
    const sha = l ? l.hash.digest('hex') : empty;
    if (sha !== t.sha256) problems.push(`${t.name}: checksum differs`);
    const count = Number((await client.query(`SELECT count(*) AS n FROM ${ident(t.name)}`)).rows[0].n);
    if (count !== t.rows) problems.push(`${t.name}: ${count} rows, the manifest says ${t.rows}`);
  }
  for (const a of manifest.attachments) {
    if (opts.attachmentsInPlace) {
      const stat = await fs.stat(path.join(opts.attachmentsDir, a.sha256.slice(0, 2), a.sha256)).catch(() => null);
      if (stat?.size !== a.size) problems.push(`attachment ${a.sha256} is missing from ${opts.attachmentsDir}`);
    } else if (received.get(a.sha256) !== a.size) problems.push(`attachment ${a.sha256} is missing from the archive`);
  }
  if (problems.length) throw new RestoreRefused(`The restore does not match the backup's manifest; nothing was restored:\n  ${problems.join('\n  ')}`);
}

/**
 * The event stream is read in (transaction id, id) order, and transaction ids belong to the
 * PostgreSQL cluster that wrote them: a new cluster starts counting low again, so new events
 * would sort before the restored ones and subscribers would never see them. Restored events get
 * the lowest transaction id (their order is then their id order) and each subscriber's cursor
 * moves to just before the first event it had not handled, so nothing is skipped.
 */
async function renumberEventStream(client: pg.Client, header: Header) {
  const names = new Set(header.tables.map((t) => t.name));
  if (!names.has('domain_events') || !names.has('event_cursors')) return;
  await client.query(`UPDATE event_cursors c SET last_tx_id = '3',
    last_id = COALESCE((SELECT min(d.id) - 1 FROM domain_events d WHERE (d.tx_id, d.id) > (c.last_tx_id, c.last_id)), (SELECT max(id) FROM domain_events), 0)`);
  await client.query(`UPDATE domain_events SET tx_id = '3' WHERE tx_id <> '3'`);
}

async function writeDurably(file: string, body: Buffer) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const exists = await fs.stat(file).catch(() => null);
  if (exists?.size === body.length) return;
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Every migration this code ships (a backup naming another comes from a newer Kept). */
const KNOWN = new Set(await pendingMigrations([]));
