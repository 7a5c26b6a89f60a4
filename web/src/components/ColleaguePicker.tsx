/**
 * Whom to hand a case to: colleagues grouped by team, each with their availability and how many
 * open cases they carry, available people first; or a whole team.
 */
import { useQuery } from '@tanstack/react-query';
import type { Staff, Team, Workload } from '../../../src/api-types';
import { api } from '../api';

export function ColleaguePicker({ value, onChange, staff, teams, ownerId }: { value: string; onChange: (v: string) => void; staff: Staff[]; teams: Team[]; ownerId: number | null }) {
  const load = useQuery({ queryKey: ['workload'], queryFn: () => api<{ items: Workload[] }>('/workload'), staleTime: 30_000 });
  const open = new Map((load.data?.items ?? []).map((w) => [w.staffId, w.openCases]));
  const people = staff.filter((s) => s.id !== ownerId && s.role !== 'executive')
    .sort((a, b) => Number(b.available) - Number(a.available) || (open.get(a.id) ?? 0) - (open.get(b.id) ?? 0) || a.name.localeCompare(b.name));
  const groups = [...teams.map((t) => ({ name: t.name, members: people.filter((s) => s.teamId === t.id) })), { name: 'No team', members: people.filter((s) => !s.teamId) }]
    .filter((g) => g.members.length);
  const describe = (s: Staff) => `${s.name} — ${s.available ? 'available' : 'away'}, ${open.get(s.id) ?? 0} open`;
  return (
    <label>Offer to
      <select value={value} onChange={(e) => onChange(e.target.value)} required data-first>
        <option value="">— choose a colleague or team —</option>
        {groups.map((g) => (
          <optgroup key={g.name} label={g.name}>
            {g.members.map((s) => <option key={s.id} value={`staff:${s.id}`}>{describe(s)}</option>)}
          </optgroup>
        ))}
        <optgroup label="A whole team (first to accept)">
          {teams.map((t) => <option key={t.id} value={`team:${t.id}`}>{t.name} (team)</option>)}
        </optgroup>
      </select>
    </label>
  );
}
