/** Every feature of Kept, in the order their routes, timers and subscribers are registered. */
import type { Feature } from './core/feature';
import { staffFeature } from './staff/feature';
import { orgFeature } from './org/feature';
import { standardsFeature } from './standards/feature';
import { customersFeature } from './customers/feature';
import { casesFeature } from './cases/feature';
import { handoversFeature } from './handovers/feature';
import { commitmentsFeature } from './commitments/feature';
import { notificationsFeature } from './notifications/feature';
import { auditFeature } from './audit/feature';
import { myWorkFeature } from './mywork/feature';
import { liveFeature } from './live/feature';
import { decisionsFeature } from './decisions/feature';
import { recoveryFeature } from './recovery/feature';
import { surveysFeature } from './surveys/feature';
import { reviewFeature } from './review/feature';
import { emailFeature } from './email/feature';
import { outboxFeature } from './outbox/feature';
import { eventsFeature } from './events/feature';
import { webhooksFeature } from './webhooks/feature';
import { chatFeature } from './chat/feature';
import { staffingFeature } from './staffing/feature';
import { portalFeature } from './portal/feature';
import { contactFeature } from './contact/feature';
import { touchpointsFeature } from './touchpoints/feature';
import { scorecardsFeature } from './scorecards/feature';
import { starsFeature } from './stars/feature';
import { loyaltyInputsFeature } from './loyalty-inputs/feature';
import { backupFeature } from './backup/feature';
import { privacyFeature } from './privacy/feature';
import { loyaltyFeature } from './loyalty/feature';
import { listeningFeature } from './listening/feature';
import { dashboardFeature } from './dashboard/feature';
import { macrosFeature } from './macros/feature';
import { viewsFeature } from './views/feature';
import { bulkFeature } from './bulk/feature';
import { demoFeature } from './demo/feature';
import { dailyFiguresFeature } from './daily-figures/feature';

export const FEATURES: Feature[] = [
  staffFeature, orgFeature, standardsFeature, customersFeature, casesFeature, handoversFeature, commitmentsFeature,
  notificationsFeature, auditFeature, myWorkFeature, liveFeature, decisionsFeature, recoveryFeature, surveysFeature,
  reviewFeature, emailFeature, outboxFeature, eventsFeature, webhooksFeature,
  chatFeature, staffingFeature, portalFeature, contactFeature, touchpointsFeature, scorecardsFeature, starsFeature, loyaltyInputsFeature, backupFeature, privacyFeature, loyaltyFeature, listeningFeature, dashboardFeature, macrosFeature,
  viewsFeature, bulkFeature, demoFeature, dailyFiguresFeature,
];
