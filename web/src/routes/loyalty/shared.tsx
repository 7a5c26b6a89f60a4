import { Link, useLocation } from 'wouter';

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)} %`);
export const one = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(1));

/** A calendar month as an API period (UTC boundaries). */
export function monthPeriod(month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)).toISOString(), to: new Date(Date.UTC(y, m, 1)).toISOString() };
}

export function MonthPicker({ month, setMonth }: { month: string; setMonth: (m: string) => void }) {
  return <div className="row filters"><label>Month<input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} /></label></div>;
}

const TABS = [['/loyalty', 'Journey'], ['/loyalty/scorecards', 'Scorecards'], ['/loyalty/stars', 'Service stars'], ['/loyalty/inputs', 'Loyalty inputs']] as const;

export function LoyaltyTabs() {
  const [location] = useLocation();
  return (
    <nav aria-label="Loyalty" className="tabs">
      {TABS.map(([href, text]) => <Link key={href} href={href} className={`tab button${location === href ? ' active' : ''}`} aria-current={location === href ? 'page' : undefined}>{text}</Link>)}
    </nav>
  );
}
