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

/** Times in alert texts written by the server as ISO instants, shown in the viewer's time zone. */
export const withLocalTimes = (text: string) => text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g, (iso) => when(iso));

const GERMAN: Record<string, string> = { mr: 'Sehr geehrter Herr', mrs: 'Sehr geehrte Frau', ms: 'Sehr geehrte Frau', miss: 'Sehr geehrte Frau', herr: 'Sehr geehrter Herr', frau: 'Sehr geehrte Frau' };
const FRENCH: Record<string, string> = { mr: 'Bonjour Monsieur', mrs: 'Bonjour Madame', ms: 'Bonjour Madame', miss: 'Bonjour Mademoiselle', monsieur: 'Bonjour Monsieur', madame: 'Bonjour Madame' };

/**
 * The reply's opening line in the customer's language and form of address: "Dear Mrs Okafor,",
 * "Sehr geehrte Frau Becker,", "Bonjour Monsieur Martin,", or the first name where it is allowed.
 */
export function greetingFor(c: { salutation: string; language: string | null; title: string | null; familyName: string | null; givenName: string | null; firstNameOk: boolean }): string {
  const lang = (c.language ?? 'en').slice(0, 2).toLowerCase();
  const title = c.title?.toLowerCase().replace(/\.$/, '') ?? '';
  const first = c.firstNameOk && c.givenName;
  let line = `Dear ${c.salutation},`;
  if (lang === 'de') line = first ? `Hallo ${c.givenName},` : GERMAN[title] && c.familyName ? `${GERMAN[title]} ${c.familyName},` : `Guten Tag ${c.salutation},`;
  if (lang === 'fr') line = first ? `Bonjour ${c.givenName},` : FRENCH[title] && c.familyName ? `${FRENCH[title]} ${c.familyName},` : `Bonjour ${c.salutation},`;
  return `${line}\n\n`;
}
