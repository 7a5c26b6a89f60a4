export { figuresOver, figuresOverEach, rebuildSummaries, refreshDays, type FigureTable } from './service';
export { complimentsOver, complimentsIn, complimentFinder } from './compliments';
