export { figuresOver, rebuildSummaries, refreshDays, type FigureTable } from './service';
