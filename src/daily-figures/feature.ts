import type { Feature } from '../core/feature';
import { dailyFigureSubscribers } from './subscribers';

export const dailyFiguresFeature: Feature = { name: 'daily-figures', subscribers: dailyFigureSubscribers };
