/**
 * The Zendesk export Kept reads: the JSON pages of Zendesk's incremental export API, saved in
 * one folder — users*.json ({ users }), organizations*.json ({ organizations }), groups*.json
 * ({ groups }), tickets*.json ({ tickets, end_time, next_page }), ticket_events*.json
 * ({ ticket_events } with Comment child events, from include=comment_events) and
 * satisfaction_ratings*.json ({ satisfaction_ratings }). Only the fields Kept uses are checked;
 * Zendesk's many others pass by.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const Id = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const When = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date');

export const ZendeskUser = z.object({
  id: Id, name: z.string().max(500).nullish(), email: z.string().max(320).nullish(), phone: z.string().max(64).nullish(),
  role: z.string().max(40).default('end-user'), organization_id: Id.nullish(), created_at: When.nullish(),
});
export const ZendeskOrganization = z.object({ id: Id, name: z.string().max(500) });
export const ZendeskGroup = z.object({ id: Id, name: z.string().max(500) });
export const ZendeskTicket = z.object({
  id: Id, subject: z.string().max(2000).nullish(), description: z.string().max(1_000_000).nullish(),
  status: z.string().max(40), priority: z.string().max(40).nullish(), type: z.string().max(40).nullish(),
  requester_id: Id, assignee_id: Id.nullish(), group_id: Id.nullish(), organization_id: Id.nullish(),
  tags: z.array(z.string().max(200)).max(200).default([]), created_at: When, updated_at: When,
  via: z.object({ channel: z.string().max(40) }).partial().nullish(),
});
export const ZendeskComment = z.object({
  id: Id, event_type: z.string().max(40), author_id: Id.nullish(), body: z.string().max(1_000_000).nullish(),
  public: z.boolean().default(true), created_at: When.nullish(),
});
export const ZendeskTicketEvent = z.object({ ticket_id: Id, created_at: When, child_events: z.array(z.unknown()).default([]) });
export const ZendeskRating = z.object({
  id: Id, ticket_id: Id, score: z.string().max(40), comment: z.string().max(10_000).nullish(), created_at: When,
});

export type User = z.output<typeof ZendeskUser>;
export type Ticket = z.output<typeof ZendeskTicket>;
export type Comment = z.output<typeof ZendeskComment> & { created_at: string };
export type Rating = z.output<typeof ZendeskRating>;

export interface ZendeskExport {
  users: User[];
  organizations: Map<number, string>;
  groups: Map<number, string>;
  tickets: Ticket[];
  comments: Map<number, Comment[]>;
  ratings: Rating[];
  rejected: { file: string; index: number; reason: string }[];
}

async function pages(dir: string, prefix: string, key: string): Promise<{ file: string; items: unknown[] }[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.json') && (f === `${prefix}.json` || /^[-_.]?\d+\.json$/.test(f.slice(prefix.length)))).sort();
  const out = [];
  for (const file of files) {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    const items = parsed[key];
    if (!Array.isArray(items)) throw new Error(`${file}: expected a "${key}" list`);
    out.push({ file, items });
  }
  return out;
}

export async function readZendeskExport(dir: string): Promise<ZendeskExport> {
  const rejected: ZendeskExport['rejected'] = [];
  const read = async <T extends z.ZodType>(prefix: string, key: string, schema: T): Promise<z.output<T>[]> => {
    const out: z.output<T>[] = [];
    for (const { file, items } of await pages(dir, prefix, key)) {
      items.forEach((item, index) => {
        const r = schema.safeParse(item);
        if (r.success) out.push(r.data);
        else rejected.push({ file, index, reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      });
    }
    return out;
  };
  const users = await read('users', 'users', ZendeskUser);
  const organizations = new Map((await read('organizations', 'organizations', ZendeskOrganization)).map((o) => [o.id, o.name]));
  const groups = new Map((await read('groups', 'groups', ZendeskGroup)).map((g) => [g.id, g.name]));
  // The incremental export can return a ticket again on a later page when it changed: the last one wins.
  const tickets = [...new Map((await read('tickets', 'tickets', ZendeskTicket)).map((t) => [t.id, t])).values()];
  const comments = new Map<number, Comment[]>();
  for (const e of await read('ticket_events', 'ticket_events', ZendeskTicketEvent)) {
    for (const child of e.child_events) {
      const c = ZendeskComment.safeParse(child);
      if (!c.success || c.data.event_type !== 'Comment') continue;
      const list = comments.get(e.ticket_id) ?? [];
      if (!list.some((x) => x.id === c.data.id)) list.push({ ...c.data, created_at: c.data.created_at ?? e.created_at });
      comments.set(e.ticket_id, list);
    }
  }
  const ratings = await read('satisfaction_ratings', 'satisfaction_ratings', ZendeskRating);
  return { users, organizations, groups, tickets, comments, ratings, rejected };
}
