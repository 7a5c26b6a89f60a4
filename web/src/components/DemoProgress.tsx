import { useEffect, useRef } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { DemoStatus } from '../../../src/api-types';
import { api } from '../api';

const PHASES: Record<string, string> = { starting: 'starting', organisation: 'setting up the organisation', customers: 'adding the customers' };

/**
 * While `kept start --demo` writes the demo year in the background: how far it is, on the
 * sign-in page and in the workspace. Asked once per page when there is no demo being written.
 */
export function DemoProgress() {
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: ['demo-status'],
    queryFn: () => api<DemoStatus>('/demo/status'),
    refetchInterval: (q) => (q.state.data?.seeding ? 1500 : false),
    staleTime: Infinity,
  });
  const seeding = status.data?.seeding ?? false;
  const wasSeeding = useRef(false);
  useEffect(() => {
    // The year is complete: every screen's figures change, so everything is asked for again.
    if (wasSeeding.current && !seeding) void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'demo-status' });
    wasSeeding.current = seeding;
  }, [seeding, qc]);
  if (!status.data?.seeding) return null;
  const { done, total, phase } = status.data;
  return (
    <p role="status" className="demo-progress">
      Loading the demo year:{' '}
      {phase === 'year' && total
        ? <><strong>{Math.floor((done / total) * 100)} %</strong> ({done.toLocaleString()} of {total.toLocaleString()} events)</>
        : PHASES[phase ?? ''] ?? phase}
      . Screens fill in as it goes; changes wait until it is done.
    </p>
  );
}
