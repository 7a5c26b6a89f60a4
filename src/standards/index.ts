export * from './service';
export { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './business-clock';
