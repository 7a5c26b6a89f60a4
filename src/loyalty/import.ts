/**
 * Customer activity from CSV (a shop's order export, a membership system's visits): the same
 * streaming reader as survey imports (encodings, limit, binary check), strict dates, rows checked
 * one by one, and a reference per row so that importing a file twice changes nothing.
 */
import type { Readable } from 'node:stream';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Invalid } from '../core/errors';
import { DryRun, openCsv, parseDate, type DateFormat, type Encoding, type Rejected } from '../surveys/import';
import { ACTIVITY_KINDS, type ActivityKind } from './schema';

export interface ActivityMapping {
  customer: string; kind?: string; fixedKind?: ActivityKind; amount?: string; date: string; dateFormat?: DateFormat; ref?: string;
  encoding?: Encoding; delimiter?: 'auto' | ',' | ';' | '\t' | '|'; dryRun?: boolean;
}

export async function importActivities(ctx: Ctx, body: Readable, m: ActivityMapping) {
  if (!m.kind && !m.fixedKind) throw new Invalid('query.kindColumn', 'required', 'Name the column with the kind (kindColumn) or one kind for every row (kind)');
  const csv = await openCsv(body, m);
  const report = { dryRun: !!m.dryRun, encoding: csv.encoding, delimiter: csv.delimiter, rows: 0, imported: 0, unchanged: 0, rejectedRows: 0, rejected: [] as Rejected[], customersUnknown: 0 };
  const run = async (tx: Ctx) => {
    let batch: { line: number; customer: string; kind: ActivityKind; amount: number | null; at: Date; ref: string | null }[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const rows = batch;
      batch = [];
      const emails = [...new Set(rows.map((r) => r.customer).filter((c) => c.includes('@')).map((c) => c.toLowerCase()))];
      const ids = [...new Set(rows.map((r) => r.customer).filter((c) => /^\d{1,15}$/.test(c)).map(Number))];
      const known = new Map<string, number>();
      if (emails.length) for (const e of await tx.db.selectFrom('customer_emails').select(['email', 'customer_id']).where('email', 'in', emails).execute()) known.set(e.email, e.customer_id);
      if (ids.length) for (const c of await tx.db.selectFrom('customers').select('id').where('id', 'in', ids).execute()) known.set(String(c.id), c.id);
      const values = [];
      for (const r of rows) {
        const id = known.get(r.customer.includes('@') ? r.customer.toLowerCase() : r.customer);
        if (!id) {
          report.customersUnknown += 1;
          report.rejectedRows += 1;
          if (report.rejected.length < 1000) report.rejected.push({ line: r.line, field: m.customer, value: r.customer.slice(0, 200), rule: 'customer', message: 'no customer with this email or id' });
          continue;
        }
        values.push({ customer_id: id, kind: r.kind, amount: r.amount, occurred_at: r.at, external_ref: r.ref });
      }
      if (!values.length) return;
      const inserted = await tx.db.insertInto('customer_activities').values(values).onConflict((oc) => oc.column('external_ref').doNothing()).returning('id').execute();
      report.imported += inserted.length;
      report.unchanged += values.length - inserted.length;
    };
    let checked = false;
    const consume = async function* (records: AsyncIterable<Record<string, string>>) {
      for await (const record of records) {
        report.rows += 1;
        const line = report.rows + 1;
        if (!checked) {
          checked = true;
          for (const [field, column] of [['query.customerColumn', m.customer], ['query.kindColumn', m.kind], ['query.amountColumn', m.amount], ['query.dateColumn', m.date], ['query.refColumn', m.ref]] as const) {
            if (column && !(column in record)) throw new Invalid(field, 'column', `There is no column "${column}"; the file has ${Object.keys(record).slice(0, 40).join(', ')}`);
          }
        }
        const problems: Rejected[] = [];
        const kind = (m.fixedKind ?? (record[m.kind!] ?? '').trim().toLowerCase()) as ActivityKind;
        if (!ACTIVITY_KINDS.includes(kind)) problems.push({ line, field: m.kind!, value: String(kind).slice(0, 200), rule: 'kind', message: `one of ${ACTIVITY_KINDS.join(', ')}` });
        const at = parseDate(record[m.date] ?? '', m.dateFormat ?? 'iso');
        if (!at) problems.push({ line, field: m.date, value: (record[m.date] ?? '').slice(0, 200), rule: 'date', message: `a date written ${m.dateFormat ?? 'iso'}` });
        let amount: number | null = null;
        const rawAmount = m.amount ? (record[m.amount] ?? '').trim() : '';
        if (rawAmount && !/^(na|n\/a|null)$/i.test(rawAmount)) {
          const normalised = rawAmount.replace(/\s/g, '').replace(/,(\d{1,2})$/, '.$1');
          if (!/^-?\d{1,11}(\.\d{1,2})?$/.test(normalised)) problems.push({ line, field: m.amount!, value: rawAmount.slice(0, 200), rule: 'amount', message: 'an amount such as 12.50 or 12,50' });
          else amount = Number(normalised);
        }
        const customer = (record[m.customer] ?? '').trim();
        if (!customer) problems.push({ line, field: m.customer, value: '', rule: 'required', message: 'the customer\'s email or id' });
        const ref = m.ref ? (record[m.ref] ?? '').trim().slice(0, 200) || null : null;
        if (problems.length) {
          report.rejectedRows += 1;
          for (const p of problems) if (report.rejected.length < 1000) report.rejected.push(p);
          continue;
        }
        batch.push({ line, customer, kind, amount, at: at!, ref });
        if (batch.length >= 1000) await flush();
      }
      await flush();
      yield '';
    };
    await csv.read(consume);
    if (m.dryRun) throw new DryRun();
  };
  try {
    await inTransaction(ctx, run);
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  return report;
}
