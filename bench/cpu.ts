/** What the database's processes cost: read beside Kept's own CPU time to split a request's cost. */
import fs from 'node:fs';

/**
 * CPU seconds (user + system) used so far by every postgres process on this machine (Linux's
 * /proc; 0 elsewhere). The benches run one cluster at a time, so a difference over a load run is
 * what PostgreSQL spent on it.
 */
export function postgresCpuSeconds(): number {
  const tick = 100; // USER_HZ
  let total = 0;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!comm.startsWith('postgres')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch { /* the process ended */ }
  }
  return total;
}
