export { demoStatus, demoState, beginDemoSeeding, recordDemoProgress, finishDemoSeeding, dropEverything, demoSeedingWatch, type DemoStatus } from './seeding';
export { refuseWritesWhileSeeding } from './routes';
