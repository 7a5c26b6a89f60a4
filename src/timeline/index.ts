export { addEntry, caseTimeline, type EntryKind } from './service';
