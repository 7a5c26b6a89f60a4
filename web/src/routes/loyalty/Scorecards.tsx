/** Every department's balanced scorecard: executives and admins see all side by side, everyone else their own. */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import type { Scorecard, Scorecards as ScorecardsData } from '../../../../src/api-types';
import { Empty, ErrorNote, Section } from '../../components/ui';
import { monthPeriod, MonthPicker, one, pct } from './shared';

const ROWS: [string, (d: Scorecard) => string][] = [
  ['Cases it caused', (d) => String(d.casesCaused)],
  ['Promises kept', (d) => `${pct(d.promises.keptRate)} (${d.promises.kept} of ${d.promises.kept + d.promises.broken}; ${d.promises.made} made)`],
  ['Recoveries it caused', (d) => `${d.recoveries.caused} · ${pct(d.recoveries.shareWithin24h)} fixed within 24 h · mean ${one(d.recoveries.meanHoursToFix)} h`],
  ['NPS of customers its failures touched', (d) => `${one(d.loyalty.touchedByFailures.nps)} (${one(d.loyalty.touchedByFailures.low)} to ${one(d.loyalty.touchedByFailures.high)}, ${d.loyalty.touchedByFailures.answers} answers)`],
  ['NPS of other customers', (d) => `${one(d.loyalty.others.nps)} (${one(d.loyalty.others.low)} to ${one(d.loyalty.others.high)}, ${d.loyalty.others.answers} answers)`],
  ['First-contact resolution', (d) => `${pct(d.firstContact.resolutionRate)} · ${d.firstContact.repeatContacts} repeat contacts of ${d.firstContact.handled} cases`],
  ['Internal requests received', (d) => `${d.internalRequests.received} · ${d.internalRequests.resolved} resolved · ${pct(d.internalRequests.standardMetRate)} within standard`],
  ['Internal requests made', (d) => String(d.internalRequests.made)],
];

export function Scorecards() {
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const { from, to } = monthPeriod(month);
  const cards = useQuery({ queryKey: ['scorecards', month], queryFn: () => api<ScorecardsData>(`/scorecards?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`) });
  const items = cards.data?.items ?? [];
  return (
    <>
      <MonthPicker month={month} setMonth={setMonth} />
      <ErrorNote error={cards.error} />
      {cards.data && !items.length ? <Empty>You are not in a department yet: an admin can set yours.</Empty> : null}
      {cards.data?.scope === 'all' && items.length ? (
        <Section title="Every department side by side">
          <div className="scroll">
            <table className="table side-by-side">
              <thead><tr><th scope="col">Figure</th>{items.map((d) => <th scope="col" key={d.departmentId}>{d.name}{d.servesExternalCustomers ? '' : ' (internal)'}</th>)}</tr></thead>
              <tbody>{ROWS.map(([label, value]) => (
                <tr key={label}><th scope="row">{label}</th>{items.map((d) => <td key={d.departmentId} data-label={d.name}>{value(d)}</td>)}</tr>
              ))}</tbody>
            </table>
          </div>
        </Section>
      ) : items.map((d) => (
        <Section key={d.departmentId} title={`${d.name}: scorecard`}>
          {d.servesExternalCustomers ? null : <p className="meta">No external customers: its customers are the other departments.</p>}
          <dl className="facts">{ROWS.map(([label, value]) => <div key={label}><dt>{label}</dt><dd>{value(d)}</dd></div>)}</dl>
        </Section>
      ))}
      <p className="meta">A repeat contact: the same customer back with a case of the same type within 7 days, the contact that exists only because the first answer failed.</p>
    </>
  );
}
