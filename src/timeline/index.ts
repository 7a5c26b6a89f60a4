export { addEntry, addEntries, caseTimeline, type EntryKind } from './service';
