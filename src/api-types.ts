/**
 * The API's answer types, shared with the web app (web/src imports these as types only), so
 * that the shapes are written once: here, derived from the services that produce them.
 */
import type {} from './schema';
import type { getCaseView, listCases, viewCounts, workload } from './cases/service';
import type { getCustomer, listCustomers } from './customers/service';
import type { caseTimeline } from './timeline/service';
import type { getHandover, handoverFigures } from './handovers/service';
import type { getCommitment, keptRate } from './commitments/service';
import type { myWork } from './mywork/service';
import type { getStaff, listApiTokens } from './staff/service';
import type { getSettings, listDepartments, listTeams, listHolidays } from './org/service';
import type { listStandards } from './standards/service';
import type { myNotifications } from './notifications/service';
import type { listRecoveries } from './recovery/service';
import type { listAuthorityLimits, listPolicyRules } from './decisions/service';
import type { listSurveys, surveyAnswers } from './surveys/service';
import type { listMailboxes } from './email/mailboxes';
import type { quarantined } from './email/ingest';
import type { monthlyReview } from './review/service';
import type { emailsOfCase } from './outbox/service';
import type { surveyFigures } from './surveys/figures';
import type { createWebhook, listDeliveries, listWebhooks, rotateSecret } from './webhooks/service';
import type { agentDesk, agentView, listCannedAnswers } from './chat/service';
import type { liveQueueFigures } from './chat/queue';
import type { staffingPlan } from './staffing/service';
import type { agentsNeeded } from './staffing/erlang-c';
import type { teamDashboard } from './dashboard/service';
import type { myMacros } from './macros/service';
import type { myViews } from './views/service';
import type { bulkOnCases } from './bulk/service';

/** What JSON makes of a value: dates become ISO strings. */
export type Jsonify<T> = T extends Date ? string
  : T extends readonly unknown[] ? { [K in keyof T]: Jsonify<T[K]> }
  : T extends object ? { [K in keyof T]: Jsonify<T[K]> }
  : T;

type Answer<F extends (...args: never[]) => unknown> = Jsonify<Awaited<ReturnType<F>>>;

export type CaseView = Answer<typeof getCaseView>;
export type CaseListPage = Answer<typeof listCases>;
export type CaseListItem = CaseListPage['items'][number];
export type Customer = Answer<typeof getCustomer>;
export type CustomerPage = Answer<typeof listCustomers>;
export type TimelineEntry = Answer<typeof caseTimeline>[number];
export type Handover = Answer<typeof getHandover>;
export type HandoverFigures = Answer<typeof handoverFigures>;
export type Commitment = Answer<typeof getCommitment>;
export type KeptRate = Answer<typeof keptRate>[number];
export type MyWork = Answer<typeof myWork>;
export type Staff = Answer<typeof getStaff>;
export type ApiToken = Answer<typeof listApiTokens>[number];
export type Settings = Answer<typeof getSettings>;
export type Department = Answer<typeof listDepartments>[number];
export type Team = Answer<typeof listTeams>[number];
export type Holiday = Answer<typeof listHolidays>[number];
export type Standard = Answer<typeof listStandards>[number];
export type Notification = Answer<typeof myNotifications>[number];
export type RecoveryItem = Answer<typeof listRecoveries>[number];
export type AuthorityLimit = Answer<typeof listAuthorityLimits>[number];
export type PolicyRule = Answer<typeof listPolicyRules>[number];
export type Survey = Answer<typeof listSurveys>[number];
export type Mailbox = Answer<typeof listMailboxes>[number];
export type QuarantinedEmail = Answer<typeof quarantined>[number];
export type Review = Answer<typeof monthlyReview>;
export type CaseEmail = Answer<typeof emailsOfCase>[number];
export type SurveyFigures = Answer<typeof surveyFigures>;
export type Webhook = Answer<typeof listWebhooks>[number];
export type NewWebhook = Answer<typeof createWebhook>;
export type RotatedSecret = Answer<typeof rotateSecret>;
export type WebhookDeliveryPage = Answer<typeof listDeliveries>;
export type WebhookDelivery = WebhookDeliveryPage['items'][number];
export type ChatDesk = Answer<typeof agentDesk>;
export type ChatTranscript = Answer<typeof agentView>;
export type CannedAnswer = Answer<typeof listCannedAnswers>[number];
export type LiveQueue = Answer<typeof liveQueueFigures>;
export type StaffingPlan = Answer<typeof staffingPlan>;
export type ErlangCFigures = ReturnType<typeof agentsNeeded>;
export type { Role } from './staff/schema';
export type { Problem } from './core/errors';

// Moments of truth, scorecards, stars and the seven loyalty inputs.
import type { listTouchpoints, unmappedTouchpoints } from './touchpoints/service';
import type { behindFigure, journeyMap } from './touchpoints/map';
import type { listScorecards } from './scorecards/service';
import type { serviceStars } from './stars/service';
import type { kudosFeed } from './stars/kudos';
import type { loyaltyInputs } from './loyalty-inputs/service';
export type Touchpoint = Answer<typeof listTouchpoints>[number];
export type UnmappedTouchpoint = Answer<typeof unmappedTouchpoints>[number];
export type JourneyMap = Answer<typeof journeyMap>;
export type BehindFigure = Answer<typeof behindFigure>;
export type Scorecards = Answer<typeof listScorecards> & { from: string; to: string };
export type Scorecard = Scorecards['items'][number];
export type ServiceStars = Answer<typeof serviceStars> & { month: string };
export type KudosFeed = Answer<typeof kudosFeed>;
export type LoyaltyInputs = Answer<typeof loyaltyInputs>;
export type Drivers = Answer<typeof import('./loyalty/service').drivers>;
export type SurveyImportReport = Answer<typeof import('./surveys/import').importResponses>;
export type Workload = Answer<typeof workload>[number];
export type SurveyAnswer = Answer<typeof surveyAnswers>[number];
export type ViewCounts = Answer<typeof viewCounts>;
export type Dashboard = Answer<typeof teamDashboard>;
export type Macro = Answer<typeof myMacros>[number];
export type SavedView = Answer<typeof myViews>[number];
export type BulkOutcome = Answer<typeof bulkOnCases>;
export type { ViewFilters } from './views/schema';
export type { DemoStatus } from './demo/seeding';
