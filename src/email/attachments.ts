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
import { inTransaction } from '../core/context';
import { requireCaseAuthority, requireCaseWorker } from '../core/authority';
import { Invalid, NotFound } from '../core/errors';

export interface AttachmentStore {
  dir: string;
  maxBytes: number;
}

let store: AttachmentStore = { dir: path.resolve('data/attachments'), maxBytes: 10 * 1024 * 1024 };

export function configureAttachments(s: AttachmentStore) {
  store = s;
}

/** The largest file the store keeps, in bytes. */
export function attachmentMaxBytes() {
  return store.maxBytes;
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

/**
 * A file a staff member attaches to the reply they are writing: stored now (not yet on any
 * timeline entry), linked when the reply is sent. Whoever may reply on the case may attach:
 * on an owned case the owner, the leads, managers and admins; on an unowned one anyone who
 * works cases (replying takes it).
 */
export async function attachToReply(ctx: Ctx, caseId: number, file: { filename: string; declaredType: string | null; content: unknown }) {
  requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    const c = await tx.db.selectFrom('cases').select(['id', 'owner_id']).where('id', '=', caseId).executeTakeFirst();
    if (!c) throw new NotFound('Case', caseId);
    if (c.owner_id) await requireCaseAuthority(tx, caseId, 'attach files to a reply');
    if (!Buffer.isBuffer(file.content)) throw new Invalid('body', 'file', 'Send the file itself as the request body with Content-Type: application/octet-stream');
    if (!file.content.length) throw new Invalid('body', 'not_empty', 'The file is empty');
    const { stored, refused } = await storeAttachments(tx, [{ filename: file.filename, contentType: file.declaredType ?? 'application/octet-stream', size: file.content.length, content: file.content }], { caseId, inboundEmailId: null });
    if (!stored.length) throw new Invalid('body', 'max_size', `${refused[0]!.filename} is ${refused[0]!.reason}`);
    return stored[0]!;
  });
}

/**
 * The files a reply carries: uploaded on this case, not yet sent with another message. Checked
 * inside the reply's transaction; linked to its entry once it exists.
 */
export async function replyAttachments(ctx: Ctx, caseId: number, ids: number[]) {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const rows = await ctx.db.selectFrom('attachments').select(['id', 'filename', 'content_type as contentType', 'size'])
    .where('id', 'in', unique).where('case_id', '=', caseId).where('entry_id', 'is', null).where('inbound_email_id', 'is', null)
    .orderBy('id').forUpdate().execute();
  if (rows.length !== unique.length) throw new Invalid('attachmentIds', 'exists', 'An attachment is not one uploaded on this case for a reply (or it was already sent)');
  return rows;
}
