/**
 * Files customers upload (web form, portal replies): a few, not too large, and only pictures,
 * PDF or plain text as judged by their bytes, never by the name or declared type.
 */
import { fileTypeFromBuffer } from 'file-type';
import { Invalid } from '../core/errors';

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ACCEPTED = /^(image\/(png|jpeg|gif|webp|heic)|application\/pdf|text\/plain)$/;

export interface Upload { filename: string; contentType: string | undefined; content: Buffer; size: number }

export async function checkUploads(files: Upload[]) {
  if (files.length > MAX_FILES) throw new Invalid('attachments', 'max_files', `At most ${MAX_FILES} files`);
  for (const f of files) {
    if (f.size > MAX_FILE_BYTES) throw new Invalid('attachments', 'max_size', `${f.filename} is larger than 10 MB`);
    const detected = (await fileTypeFromBuffer(f.content))?.mime ?? (isText(f.content) ? 'text/plain' : 'unknown');
    if (!ACCEPTED.test(detected)) throw new Invalid('attachments', 'type', `${f.filename}: only pictures, PDF and plain text are accepted`);
  }
}

function isText(b: Buffer) {
  const head = b.subarray(0, 4096);
  return !head.includes(0) && !head.toString('utf8').slice(0, -1).includes('\uFFFD');
}
