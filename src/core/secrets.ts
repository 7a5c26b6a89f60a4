/**
 * Secrets Kept must be able to read back (IMAP passwords) are sealed with AES-256-GCM under a
 * key that is not in the database, so a copy of the database alone does not give away the
 * mailboxes. The key is KEPT_SECRET_KEY (32 bytes, base64 or hex); without it Kept makes a
 * random key once and keeps it in <data folder>/secret.key (mode 600), so a fresh machine
 * works. Several instances sharing one database must share the key: set KEPT_SECRET_KEY.
 *
 * Sealed values read "enc:v1:<key id>:<base64url iv|tag|ciphertext>"; anything else is a
 * value stored before sealing existed and is read as it is (and sealed on the next chance).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';
const AAD = Buffer.from('kept secret v1');

let settings: { key?: string; keyFile: string } = { keyFile: path.resolve('data/secret.key') };
let cached: { key: Buffer; id: string } | null = null;

/** Set once at start from the configuration (KEPT_SECRET_KEY, KEPT_DATA_DIR). */
export function configureSecrets(opts: { key?: string; keyFile: string }) {
  settings = opts;
  cached = null;
}

/** 32 bytes as base64/base64url or 64 hex digits; null when it is not a usable key. */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(t) && b.length === 32 ? b : null;
}

function loadKey(): { key: Buffer; id: string } {
  if (cached) return cached;
  let key: Buffer | null;
  if (settings.key) {
    key = parseSecretKey(settings.key);
    if (!key) throw new Error('KEPT_SECRET_KEY must be 32 bytes in base64 or hex (openssl rand -base64 32)');
  } else {
    fs.mkdirSync(path.dirname(settings.keyFile), { recursive: true });
    try {
      fs.writeFileSync(settings.keyFile, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    key = parseSecretKey(fs.readFileSync(settings.keyFile, 'utf8'));
    if (!key) throw new Error(`${settings.keyFile} does not hold a usable key (32 bytes, base64)`);
  }
  cached = { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8) };
  return cached;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function sealSecret(plain: string): string {
  const { key, id } = loadKey();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

export function openSecret(stored: string): string {
  if (!isSealed(stored)) return stored;
  const { key, id } = loadKey();
  const [kid, data] = stored.slice(PREFIX.length).split(':');
  if (kid !== id) throw new Error(`this secret was sealed with another key (${kid}, now ${id}): restore KEPT_SECRET_KEY or enter the password again`);
  const raw = Buffer.from(data ?? '', 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(AAD);
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
