/**
 * Macros in the composer: pick one (Tab to it, or press m on the case) and its text goes in at the
 * cursor with its placeholders filled from the case: {{salutation}} the customer's form of address,
 * {{expected}} the resolution time told to them, {{case}} the case number. "Save as macro" keeps the
 * current text as a personal macro, or a team one for leads.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CaseView, Macro } from '../../../src/api-types';
import { api, post } from '../api';
import { when } from '../format';
import { useMe } from '../session';
import { ErrorNote, useAction } from './ui';

export function fillPlaceholders(body: string, c: CaseView): string {
  return body
    .replaceAll('{{salutation}}', c.customer.salutation)
    .replaceAll('{{expected}}', c.resolutionDueAt ? when(c.resolutionDueAt) : 'as soon as we can')
    .replaceAll('{{case}}', `K-${c.id}`);
}

export function MacroPicker({ c, insert, current }: { c: CaseView; insert: (text: string) => void; current: string }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const macros = useQuery({ queryKey: ['macros'], queryFn: () => api<{ items: Macro[] }>('/macros'), staleTime: 60_000 });
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [forTeam, setForTeam] = useState(false);
  const save = useAction(async () => {
    await post('/macros', { name, body: current, ...(forTeam && me?.teamId ? { teamId: me.teamId } : {}) });
    setSaving(false);
    setName('');
    await qc.invalidateQueries({ queryKey: ['macros'] });
  });
  const items = macros.data?.items ?? [];
  return (
    <div className="row macros">
      <label>Insert a macro
        <select value="" data-macro onChange={(e) => { const m = items.find((x) => String(x.id) === e.target.value); if (m) insert(fillPlaceholders(m.body, c)); }}>
          <option value="">{items.length ? '— choose —' : '— none yet —'}</option>
          {items.map((m) => <option key={m.id} value={m.id}>{m.name}{m.teamId ? ' (team)' : ''}</option>)}
        </select>
      </label>
      {saving ? (
        <>
          <label>Macro name<input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} /></label>
          {me?.teamId && me.role !== 'agent' ? <label className="check"><input type="checkbox" checked={forTeam} onChange={(e) => setForTeam(e.target.checked)} /> for my team</label> : null}
          <button type="button" className="secondary" disabled={save.busy || !name.trim()} onClick={() => void save.run()}>Save macro</button>
        </>
      ) : <button type="button" className="link" onClick={() => setSaving(true)}>Save this text as a macro…</button>}
      <Link href="/macros">Edit macros</Link>
      <ErrorNote error={save.error} />
    </div>
  );
}
