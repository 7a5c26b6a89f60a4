export { addEntry, addEntries, addReservedEntry, reserveEntryId, caseTimeline, type EntryKind } from './service';
