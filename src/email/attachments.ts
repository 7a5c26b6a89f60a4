/**
 * Attachments are stored content-addressed (by SHA-256) in a local folder, written and fsynced
 * before the database row that points at them commits. The content type is detected from the
 * bytes; what the sender declared is kept beside it, never trusted.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Attachment } from 'mailparser';
import type { Ctx } from '../core/context';

export interface AttachmentStore {
  dir: string;
  maxBytes: number;
}

let store: AttachmentStore = { dir: path.resolve('data/attachments'), maxBytes: 10 * 1024 * 1024 };

export function configureAttachments(s: AttachmentStore) {
  store = s;
}

export function attachmentPath(sha256: string) {
  return path.join(store.dir, sha256.slice(0, 2), sha256);
}

async function writeDurably(file: string, bytes: Buffer) {
  try {
    await fs.access(file);
    return; // same content already stored
  } catch { /* not yet */ }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

/** Files from mail, or from the web form and the portal (no inbound email: inboundEmailId null). */
export async function storeAttachments(ctx: Ctx, list: Pick<Attachment, 'filename' | 'contentType' | 'size' | 'content'>[], ref: { caseId: number; inboundEmailId: number | null }) {
  const stored: { id: number; filename: string; contentType: string; size: number }[] = [];
  const refused: { filename: string; size: number; reason: string }[] = [];
  for (const a of list) {
    const filename = (a.filename ?? 'attachment').slice(0, 255);
    if (a.size > store.maxBytes) {
      refused.push({ filename, size: a.size, reason: `larger than ${store.maxBytes} bytes` });
      continue;
    }
    const sha256 = createHash('sha256').update(a.content).digest('hex');
    await writeDurably(attachmentPath(sha256), a.content);
    const detected = (await fileTypeFromBuffer(a.content))?.mime ?? (a.contentType?.startsWith('text/') ? 'text/plain' : 'application/octet-stream');
    const row = await ctx.db
      .insertInto('attachments')
      .values({ case_id: ref.caseId, entry_id: null, inbound_email_id: ref.inboundEmailId, filename, declared_type: a.contentType ?? null, content_type: detected, size: a.size, sha256, created_at: ctx.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    stored.push({ id: row.id, filename, contentType: detected, size: a.size });
  }
  return { stored, refused };
}

/** Once the message's timeline entry exists, its attachments point at it. */
export async function linkAttachments(ctx: Ctx, files: { stored: { id: number }[] }, entryId: number) {
  if (!files.stored.length) return;
  await ctx.db.updateTable('attachments').set({ entry_id: entryId }).where('id', 'in', files.stored.map((f) => f.id)).execute();
}
