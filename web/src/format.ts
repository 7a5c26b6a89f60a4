/** Times are shown in the viewer's own time zone; where the business clock matters we say so. */
const viewer = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function when(iso: string | null | undefined): string {
  return iso ? viewer.format(new Date(iso)) : '—';
}

export function inZone(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

/** "in 3 h 20 min" or "2 h 5 min late". */
export function timeLeft(iso: string | null | undefined, now = Date.now()): { text: string; late: boolean } {
  if (!iso) return { text: '—', late: false };
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const parts = d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  return ms >= 0 ? { text: `in ${parts}`, late: false } : { text: `${parts} late`, late: true };
}

export const label = (s: string) => s.replace(/_/g, ' ');
