import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './business-clock';

const weekdays9to5 = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } as BusinessCalendar['hours'];

describe('business clock', () => {
  it('a case opened Friday 16:30 with 4 business hours, Monday a holiday, is due Tuesday 12:30', () => {
    const cal: BusinessCalendar = { timeZone: 'Europe/London', hours: weekdays9to5, holidays: new Set(['2026-05-25']) };
    const due = addBusinessMinutes(cal, new Date('2026-05-22T15:30:00Z'), 240); // 16:30 BST
    assert.equal(due.toISOString(), '2026-05-26T11:30:00.000Z'); // 12:30 BST
  });

  it('counts only opening hours between two instants, across a weekend', () => {
    const cal: BusinessCalendar = { timeZone: 'UTC', hours: weekdays9to5, holidays: new Set() };
    assert.equal(businessMinutesBetween(cal, new Date('2026-05-22T16:00:00Z'), new Date('2026-05-25T10:00:00Z')), 120);
    assert.equal(businessMinutesBetween(cal, new Date('2026-05-25T10:00:00Z'), new Date('2026-05-22T16:00:00Z')), 0);
  });

  it('keeps local opening hours across a daylight-saving change', () => {
    const cal: BusinessCalendar = { timeZone: 'America/New_York', hours: weekdays9to5, holidays: new Set() };
    // Friday 2026-03-06 16:00 EST; clocks go forward on Sunday 8 March
    const due = addBusinessMinutes(cal, new Date('2026-03-06T21:00:00Z'), 120);
    assert.equal(due.toISOString(), '2026-03-09T14:00:00.000Z'); // Monday 10:00 EDT
  });

  it('handles split days (a lunch break) and starting before opening', () => {
    const cal: BusinessCalendar = { timeZone: 'UTC', hours: { mon: [['09:00', '12:00'], ['13:00', '17:00']] }, holidays: new Set() };
    assert.equal(addBusinessMinutes(cal, new Date('2026-05-25T07:00:00Z'), 200).toISOString(), '2026-05-25T13:20:00.000Z');
  });

  it('refuses a calendar with no opening hours at all rather than looping', () => {
    const cal: BusinessCalendar = { timeZone: 'UTC', hours: {}, holidays: new Set() };
    assert.throws(() => addBusinessMinutes(cal, new Date('2026-05-25T07:00:00Z'), 10), /No business time/);
  });
});
