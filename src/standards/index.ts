export * from './service';
export { addBusinessMinutes, businessMinutesBetween, openIntervals, type BusinessCalendar } from './business-clock';
