import type { Feature } from '../core/feature';
import { dailyFigureSubscribers } from './subscribers';
import { closeEndedDays } from './service';

export const dailyFiguresFeature: Feature = { name: 'daily-figures', subscribers: dailyFigureSubscribers, timers: { closeEndedDays } };
