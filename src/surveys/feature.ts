import type { Feature } from '../core/feature';
import { surveyPageRoutes, surveyRoutes } from './routes';
import { askRecoveredCustomers } from './service';
import { sendScheduledSurveys } from './segment-send';
import { surveySubscribers } from './subscribers';

export const surveysFeature: Feature = {
  name: 'surveys', routes: surveyRoutes, pages: surveyPageRoutes, timers: { askRecoveredCustomers, sendScheduledSurveys }, subscribers: surveySubscribers,
};
