/**
 * The whole schema as Kysely sees it: the core's tables merged with each feature's own.
 * Imported (for its types) by the app and by the API types, so every program sees the full schema.
 */
import type { AuditTable } from './audit/schema';
import type { CaseEntryTable, CaseTable } from './cases/schema';
import type { CommitmentRenegotiationTable, CommitmentTable } from './commitments/schema';
import type { CustomerEmailTable, CustomerPhoneTable, CustomerTable } from './customers/schema';
import type { HandoverTable } from './handovers/schema';
import type { MacroTable } from './macros/schema';
import type { SavedViewTable } from './views/schema';
import type { NotificationTable } from './notifications/schema';
import type { DepartmentTable, HolidayTable, OrganisationTable, TeamTable } from './org/schema';
import type { ServiceStandardTable } from './standards/schema';
import type { ApiTokenTable, SessionTable, SignInFailureTable, StaffTable } from './staff/schema';
import type { AttachmentTable, InboundEmailTable, MailboxTable } from './email/schema';
import type { OutboundEmailTable, OutboundTemplateTable } from './outbox/schema';
import type { AuthorityLimitTable, DecisionKindTable, DecisionTable, PolicyRuleTable } from './decisions/schema';
import type { RecoveryTable } from './recovery/schema';
import type { SurveyInvitationTable, SurveyResponseTable, SurveySendTable, SurveyTable } from './surveys/schema';
import type { WebhookDeliveryTable, WebhookTable } from './webhooks/schema';
import type { ChatCannedAnswerTable, ChatConversationTable, ChatMessageTable, ChatPresenceTable } from './chat/schema';
import type { PortalLinkTable, PortalSessionTable, PublicHitTable } from './portal/schema';
import type { TouchpointTable } from './touchpoints/schema';
import type { KudosTable } from './stars/schema';
import type { LoyaltyInputActionTable, LoyaltyInputRatingTable, LoyaltyInputTable } from './loyalty-inputs/schema';
import type { ImportMappingTable } from './imports/schema';
import type { CustomerActivityTable } from './loyalty/schema';
import type { ListeningTextTable } from './listening/schema';
import type { DemoSeedingTable } from './demo/schema';

declare module './core/db/database' {
  interface Database {
    demo_seeding: DemoSeedingTable;
    organisation: OrganisationTable;
    holidays: HolidayTable;
    departments: DepartmentTable;
    teams: TeamTable;
    staff: StaffTable;
    sessions: SessionTable;
    api_tokens: ApiTokenTable;
    sign_in_failures: SignInFailureTable;
    customers: CustomerTable;
    customer_emails: CustomerEmailTable;
    customer_phones: CustomerPhoneTable;
    service_standards: ServiceStandardTable;
    cases: CaseTable;
    case_entries: CaseEntryTable;
    handovers: HandoverTable;
    commitments: CommitmentTable;
    commitment_renegotiations: CommitmentRenegotiationTable;
    notifications: NotificationTable;
    audit_log: AuditTable;
    inbound_emails: InboundEmailTable;
    outbound_emails: OutboundEmailTable;
    outbound_templates: OutboundTemplateTable;
    attachments: AttachmentTable;
    mailboxes: MailboxTable;
    decision_kinds: DecisionKindTable;
    authority_limits: AuthorityLimitTable;
    policy_rules: PolicyRuleTable;
    decisions: DecisionTable;
    recoveries: RecoveryTable;
    surveys: SurveyTable;
    survey_invitations: SurveyInvitationTable;
    survey_responses: SurveyResponseTable;
    survey_sends: SurveySendTable;
    webhooks: WebhookTable;
    webhook_deliveries: WebhookDeliveryTable;
    chat_presence: ChatPresenceTable;
    chat_conversations: ChatConversationTable;
    chat_messages: ChatMessageTable;
    chat_canned_answers: ChatCannedAnswerTable;
    portal_links: PortalLinkTable;
    portal_sessions: PortalSessionTable;
    public_hits: PublicHitTable;
    touchpoints: TouchpointTable;
    kudos: KudosTable;
    loyalty_inputs: LoyaltyInputTable;
    loyalty_input_ratings: LoyaltyInputRatingTable;
    loyalty_input_actions: LoyaltyInputActionTable;
    import_mappings: ImportMappingTable;
    customer_activities: CustomerActivityTable;
    listening_texts: ListeningTextTable;
    macros: MacroTable;
    saved_views: SavedViewTable;
  }
}
