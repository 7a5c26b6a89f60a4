/**
 * Business time: service standards count only opening hours in the organisation's time zone,
 * skipping holidays. All arithmetic is done in local wall-clock time (luxon), so daylight-saving
 * changes and zones are handled where they belong.
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

function openIntervals(cal: BusinessCalendar, day: DateTime): [DateTime, DateTime][] {
  if (cal.holidays.has(day.toISODate()!)) return [];
  const spans = cal.hours[WEEKDAYS[day.weekday - 1]!] ?? [];
  return spans.map(([from, to]) => [atTime(day, from), atTime(day, to)]);
}

function atTime(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  if (hhmm === '24:00') return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/** The instant that lies `minutes` of business time after `start`. */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  let remaining = minutes;
  let cursor = DateTime.fromJSDate(start, { zone: cal.timeZone });
  let day = cursor.startOf('day');
  for (let i = 0; i < MAX_DAYS; i++) {
    for (const [open, close] of openIntervals(cal, day)) {
      const from = cursor > open ? cursor : open;
      if (from >= close) continue;
      const available = close.diff(from, 'minutes').minutes;
      if (remaining <= available) return from.plus({ minutes: remaining }).toJSDate();
      remaining -= available;
    }
    day = day.plus({ days: 1 });
    cursor = day;
  }
  throw new Error(`No business time found within ${MAX_DAYS} days: check the business hours`);
}

/** Business minutes between two instants (0 if `to` is not after `from`). */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  if (to <= from) return 0;
  const start = DateTime.fromJSDate(from, { zone: cal.timeZone });
  const end = DateTime.fromJSDate(to, { zone: cal.timeZone });
  let total = 0;
  for (let day = start.startOf('day'); day <= end; day = day.plus({ days: 1 })) {
    for (const [open, close] of openIntervals(cal, day)) {
      const a = start > open ? start : open;
      const b = end < close ? end : close;
      if (b > a) total += b.diff(a, 'minutes').minutes;
    }
  }
  return total;
}
