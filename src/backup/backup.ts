/**
 * An online backup without pg_dump (the embedded package ships only initdb, pg_ctl and
 * postgres): one REPEATABLE READ, READ ONLY transaction COPYs every table, so the archive is
 * one consistent moment — every write acknowledged before the backup started is in it — while
 * Kept keeps running. The archive is a tar: header.json (format, migrations, tables and their
 * columns), the COPY text of each table in chunks, the attachments, and last manifest.json with
 * each table's row count and SHA-256 and every sequence's value.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import tar from 'tar-stream';
import { FORMAT, ident, listSequences, listTables, type Header, type Manifest, type Progress } from './tables';

const CHUNK = 4 * 1024 * 1024;

export interface BackupOptions {
  attachmentsDir: string;
  engine: 'embedded' | 'server';
  onProgress?: (p: Progress) => void;
}

export interface BackupResult { manifest: Manifest; sha256: string; bytes: number }

export async function writeBackup(url: string, out: Writable, opts: BackupOptions): Promise<BackupResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pack = tar.pack();
  const archiveHash = createHash('sha256');
  let bytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, done) {
      archiveHash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const written = pipeline(pack, counting, out);
  written.catch(() => {});
  const add = async (name: string, body: Buffer) => {
    await new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length, mtime: new Date(0) }, body, (e) => (e ? reject(e) : resolve())));
    // Backpressure: wait while the archive is not being read (a slow disk or network).
    while (buffered(pack) > 2 * CHUNK) await new Promise((r) => setTimeout(r, 5));
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // The snapshot is taken by the first query: from here on, the database stands still for us.
    const migrations = (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
    const createdAt = new Date().toISOString();
    const tables = await listTables(client);
    const sequences = await listSequences(client); // after the snapshot: at or above every id it holds
    const counts = new Map<string, number>();
    for (const t of tables) counts.set(t.name, Number((await client.query(`SELECT count(*) AS n FROM ${ident(t.name)}`)).rows[0].n));
    const totalRows = [...counts.values()].reduce((a, b) => a + b, 0);
    const header: Header = { format: FORMAT, createdAt, migrations, tables, totalRows };
    await add('header.json', Buffer.from(JSON.stringify(header, null, 2)));

    const progress: Progress = { phase: 'tables', rows: 0, totalRows, bytes: 0 };
    const manifestTables: Manifest['tables'] = [];
    for (const t of tables) {
      progress.table = t.name;
      const hash = createHash('sha256');
      let rows = 0;
      let part = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (!pendingBytes) return;
        part += 1;
        const body = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        await add(`data/${t.name}/${String(part).padStart(6, '0')}.copy`, body);
      };
      const stream = client.query(copyTo(`COPY ${ident(t.name)} (${t.columns.map(ident).join(', ')}) TO STDOUT`));
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        // COPY text format escapes newlines inside values: one line is one row.
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows += 1;
        pending.push(chunk);
        pendingBytes += chunk.length;
        progress.bytes += chunk.length;
        if (pendingBytes >= CHUNK) {
          progress.rows = [...manifestTables].reduce((a, m) => a + m.rows, 0) + rows;
          opts.onProgress?.(progress);
          await flush();
        }
      }
      await flush();
      manifestTables.push({ ...t, rows, sha256: hash.digest('hex') });
      progress.rows = manifestTables.reduce((a, m) => a + m.rows, 0);
      opts.onProgress?.(progress);
    }

    // Attachments are content-addressed and never change: the files named in the snapshot.
    const shas = (await client.query<{ sha256: string }>('SELECT DISTINCT sha256 FROM attachments ORDER BY 1').catch(() => ({ rows: [] }))).rows.map((r) => r.sha256);
    await client.query('COMMIT');
    progress.phase = 'attachments';
    const attachments: Manifest['attachments'] = [];
    const missing: string[] = [];
    for (const sha of shas) {
      let body: Buffer;
      try {
        body = await fs.readFile(path.join(opts.attachmentsDir, sha.slice(0, 2), sha));
      } catch {
        missing.push(sha);
        continue;
      }
      await add(`attachments/${sha.slice(0, 2)}/${sha}`, body);
      attachments.push({ sha256: sha, size: body.length });
      progress.bytes += body.length;
      opts.onProgress?.(progress);
    }
    const serverVersion = (await client.query('SHOW server_version')).rows[0].server_version as string;
    const manifest: Manifest = {
      format: FORMAT, createdAt, source: { engine: opts.engine, serverVersion }, migrations,
      tables: manifestTables, sequences, attachments, missingAttachments: missing,
    };
    await add('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
    pack.finalize();
    await written;
    opts.onProgress?.({ ...progress, phase: 'done' });
    return { manifest, sha256: archiveHash.digest('hex'), bytes };
  } catch (e) {
    pack.destroy(e as Error);
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
}

/** tar-stream is built on streamx, whose readable buffer size sits in its state object. */
function buffered(pack: tar.Pack): number {
  return (pack as unknown as { _readableState?: { buffered?: number } })._readableState?.buffered ?? 0;
}
