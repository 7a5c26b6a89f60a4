/**
 * The password policy, applied wherever a password is set (creating staff, changing one's own,
 * an admin reset). Length matters most, so the floor is 12 characters (passphrases welcome, up
 * to 200); beyond length we refuse what attackers try first: one character repeated, keyboard
 * and alphabet runs (1234567890, qwertyuiop, abcdef), the person's own email or name, and
 * passwords that are mostly made of common ones (password12, Qwerty2025!, summer-dragon).
 */
import { DomainError } from '../core/errors';
import { COMMON_PASSWORDS } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 12;
/** What is left once common words, the person's name and email are taken out must be this long. */
const MIN_OWN_CHARACTERS = 8;

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertzuiop', 'yxcvbnm', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'];
const ADJACENT = new Set(KEYBOARD_ROWS.flatMap((row) => [...row].slice(1).flatMap((c, i) => [row[i]! + c, c + row[i]!])));
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
// Longest first, so "password123" is taken out whole before "password".
const STEMS = [...new Set(COMMON_PASSWORDS.filter((w) => w.length >= 4))].sort((a, b) => b.length - a.length);
const COMMON = new Set(COMMON_PASSWORDS);

export interface PasswordOwner {
  email?: string | null;
  name?: string | null;
}

export interface PasswordProblem {
  rule: string;
  message: string;
}

const deleet = (s: string) => [...s].map((c) => LEET[c] ?? c).join('');
const alnum = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

function strip(text: string, words: string[]): string {
  let rest = text;
  for (const w of words) if (w && rest.includes(w)) rest = rest.split(w).join('');
  return rest;
}

function isRepetitive(p: string): boolean {
  if (new Set(p).size < 4) return true;
  for (let unit = 1; unit <= p.length / 2; unit++) {
    if (p.length % unit === 0 && p.slice(0, unit).repeat(p.length / unit) === p) return true;
  }
  return false;
}

/** Mostly steps of one (abc, 987), repeats, or neighbouring keys: a pattern, not a secret. */
function isSequence(p: string): boolean {
  const s = p.toLowerCase();
  let predictable = 0;
  for (let i = 1; i < s.length; i++) {
    const step = Math.abs(s.charCodeAt(i) - s.charCodeAt(i - 1));
    if (step <= 1 || ADJACENT.has(s[i - 1]! + s[i]!) || (s[i - 1] === '9' && s[i] === '0')) predictable++;
  }
  return predictable >= 0.75 * (s.length - 1);
}

function personalWords(owner: PasswordOwner): string[] {
  const email = owner.email?.toLowerCase() ?? '';
  const local = alnum(email.split('@')[0] ?? '');
  const name = owner.name ?? '';
  return [local, alnum(name), ...name.split(/\s+/).map(alnum)].filter((w) => w.length >= 3);
}

export function passwordProblem(password: string, owner: PasswordOwner = {}): PasswordProblem | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return { rule: 'too_short', message: `use at least ${MIN_PASSWORD_LENGTH} characters (a few unrelated words make a good password)` };
  }
  if (isRepetitive(password)) return { rule: 'repetitive', message: 'is one character or a short group repeated' };
  if (isSequence(password)) return { rule: 'sequence', message: 'is a run of keys or characters in order (like 1234567890 or qwertyuiop)' };
  const lower = password.toLowerCase();
  const mine = personalWords(owner);
  const email = owner.email?.toLowerCase();
  const withoutMine = strip(alnum(lower), mine);
  if ((email && lower.includes(email)) || (withoutMine !== alnum(lower) && withoutMine.length < MIN_OWN_CHARACTERS)) {
    return { rule: 'personal', message: 'is mostly your own email address or name' };
  }
  const forms = [lower, deleet(lower)];
  if (forms.some((f) => COMMON.has(f) || COMMON.has(alnum(f)))) return { rule: 'common', message: 'is one of the most common passwords' };
  if (forms.some((f) => strip(strip(f, mine), STEMS).length < MIN_OWN_CHARACTERS)) {
    return { rule: 'common', message: 'is mostly a common password with a few characters added (like password12 or Qwerty2025!)' };
  }
  return null;
}

/** Throws a 400 naming the field (body.password, body.newPassword) and what is wrong. */
export function assertStrongPassword(field: string, password: string, owner: PasswordOwner = {}) {
  const problem = passwordProblem(password, owner);
  if (problem) {
    throw new DomainError(400, 'Invalid request', `${field}: ${problem.message}`, [{ field, rule: `password_${problem.rule}`, message: problem.message }]);
  }
}
