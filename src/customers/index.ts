export * from './service';
export { CHANNELS, type Channel } from './schema';
