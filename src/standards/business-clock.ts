/**
 * Business time: service standards count only opening hours in the organisation's time zone,
 * skipping holidays. A day's opening hours are found in local wall-clock time (luxon), so
 * daylight-saving changes and zones are handled where they belong; the minutes are then counted
 * between those instants (epoch ms), which is what luxon's own minute arithmetic does.
 *
 * Every new case asks for two due times, so a calendar day's open intervals are kept once found
 * (per calendar and day; a changed calendar is another key): the walk through luxon days cost a
 * tenth of a new case's time in Node.
 */
import { DateTime } from 'luxon';
import type { BusinessHours, Weekday } from '../org/schema';

export interface BusinessCalendar {
  timeZone: string;
  hours: BusinessHours;
  /** ISO dates (YYYY-MM-DD) in the organisation's zone. */
  holidays: ReadonlySet<string>;
}

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MAX_DAYS = 800; // a standard longer than two years is a configuration mistake, not a loop
const MINUTE_MS = 60_000;

function atTime(day: DateTime, hhmm: string): number {
  if (hhmm === '24:00') return day.plus({ days: 1 }).startOf('day').toMillis();
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis();
}

/** A local day: its open intervals (epoch ms) and the next day's start. */
interface Day { open: [number, number][]; next: DateTime }

const MAX_REMEMBERED_DAYS = 20_000;
const days = new Map<string, Day>();
const keys = new WeakMap<BusinessCalendar, string>();

function calendarKey(cal: BusinessCalendar): string {
  let key = keys.get(cal);
  if (!key) keys.set(cal, (key = `${cal.timeZone}\n${JSON.stringify(cal.hours)}\n${[...cal.holidays].sort().join(',')}`));
  return key;
}

/** The day starting at `start` (local midnight in the calendar's zone). */
function dayAt(cal: BusinessCalendar, start: DateTime): Day {
  const key = `${calendarKey(cal)}\n${start.toMillis()}`;
  let day = days.get(key);
  if (!day) {
    const spans = cal.holidays.has(start.toISODate()!) ? [] : cal.hours[WEEKDAYS[start.weekday - 1]!] ?? [];
    day = { open: spans.map(([from, to]) => [atTime(start, from), atTime(start, to)]), next: start.plus({ days: 1 }) };
    if (days.size >= MAX_REMEMBERED_DAYS) days.clear();
    days.set(key, day);
  }
  return day;
}

/** The open intervals (epoch ms) of the local day that starts at `start`, holidays closed. */
export function openIntervals(cal: BusinessCalendar, start: DateTime): readonly (readonly [number, number])[] {
  return dayAt(cal, start).open;
}

/** The instant that lies `minutes` of business time after `start`. */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  let remaining = minutes * MINUTE_MS;
  let cursor = start.getTime();
  let day: DateTime = DateTime.fromJSDate(start, { zone: cal.timeZone }).startOf('day');
  for (let i = 0; i < MAX_DAYS; i++) {
    const { open, next } = dayAt(cal, day);
    for (const [from0, close] of open) {
      const from = Math.max(cursor, from0);
      if (from >= close) continue;
      if (remaining <= close - from) return new Date(from + remaining);
      remaining -= close - from;
    }
    day = next;
    cursor = next.toMillis();
  }
  throw new Error(`No business time found within ${MAX_DAYS} days: check the business hours`);
}

/** Business minutes between two instants (0 if `to` is not after `from`). */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  const start = from.getTime();
  const end = to.getTime();
  let total = 0;
  for (let day: DateTime = DateTime.fromJSDate(from, { zone: cal.timeZone }).startOf('day'); day.toMillis() <= end;) {
    const { open, next } = dayAt(cal, day);
    for (const [a0, b0] of open) {
      const a = Math.max(start, a0);
      const b = Math.min(end, b0);
      if (b > a) total += b - a;
    }
    day = next;
  }
  return total / MINUTE_MS;
}
