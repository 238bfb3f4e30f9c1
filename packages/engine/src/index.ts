export type { Database, PoolStats, Queryable } from './db/database.ts';
export { connectDatabase, type ConnectOptions } from './db/connect.ts';
export { connectPglite } from './db/pglite.ts';
export { connectPostgres } from './db/postgres.ts';
export { migrate, pendingMigrations } from './db/migrate.ts';
export { connectPreviewPool, previewDatabase, PREVIEW_LIMITS, QueryTimeoutError, withPreviews } from './db/previews.ts';
export { createTestDatabase, type TestDatabase } from './testing.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { Worker, type WorkerOptions, type TickResult } from './worker.ts';
export { noMetrics, type EngineMetrics } from './metrics.ts';
export { StepError } from './stepper.ts';
export { countPendingEffects } from './queries/countPendingEffects.ts';
export { oldestDueStep } from './queries/oldestDueStep.ts';
export { recordEvents, recordReferencedEvents, type NewEvent, type ReferencedEvent } from './events.ts';
export { admitContact, admitChangedContacts, admitWholeIterations } from './admission.ts';
export { loadLiveJourneys, toRunnableJourney, type RunnableJourney, type JourneyRow } from './journeys.ts';
export { insertMilestone, type MilestoneKind } from './queries/insertMilestone.ts';
export { compileSegmentQuery, SqlParams, type StoredSegment } from './segments/compileQuery.ts';
export { expandedSize, MAX_EXPANDED_CONDITIONS, reaches, segmentsOverLimit } from './segments/expansion.ts';
export { loadSegments } from './queries/loadSegments.ts';
export { EmailRenderer, validateTemplate, missingRequiredPlaceholders, TemplateRenderError, TEMPLATE_LIMITS } from './email/render.ts';
export type { RenderedEmail } from './email/render.ts';
export { createSmtpSender, smtpSettings, SmtpSendError, type SmtpSender } from './email/smtpSender.ts';
export { hasTokenKeys, signToken, verifyToken } from './tokens.ts';
export { trackingLinks, templateVariables, type EmailDeliveryConfig, type TrackingToken, type UnsubscribeToken } from './outbox/deliverEmails.ts';
export { signatureFor, signatureV2For, type WebhookOptions } from './outbox/callWorkflows.ts';
export { isPublicAddress, refusedWorkflowUrl, type AddressPolicy } from './outbox/addressPolicy.ts';
export { loadEmailDeliveries } from './queries/loadEmailDeliveries.ts';
export { getJourney, insertJourney, updateJourneyDefinition, setJourneyStatus, deleteJourney, type StoredJourney } from './store/journeys.ts';
export { loadReferences } from './store/references.ts';
export { journeyInsights, type JourneyInsights, type TileInsight } from './store/journeyInsights.ts';
export { contactPath, type ContactPath } from './store/contactPath.ts';
export { submitForm, visitPage, type FormSubmission, type SubmissionResult, type PageVisit } from './inbound.ts';
export { recordBounces, type Bounce } from './bounces.ts';
export { deleteBouncedEmail, findBouncedEmail } from './queries/resolveBounces.ts';
export { scoreLeads } from './scoring.ts';
export { markAllLeadsForRescoring } from './queries/markLeadsForRescoring.ts';
export { messageIdFor } from './outbox/deliverEmails.ts';
export { eraseContact, exportContact, isSuppressed, type ContactExport } from './store/contactPrivacy.ts';
export {
  applySubscriptionChange,
  listsTargetedByMessage,
  loadSubscriptionCenter,
  type SubscriptionCenterView,
  type SubscriptionChange,
  type SubscriptionOutcome,
} from './subscriptions.ts';
export { evaluateSegment, evaluateContacts, evaluateStaleSegments, rollSegmentWindows, claimDirtyContacts, dynamicSegments } from './segments/membership.ts';
export { keepSegmentsCurrent } from './segmentUpkeep.ts';
export { previewPath, type ExpectedEvent, type PathPreview, type PreviewedJourney } from './preview.ts';
export { forecastAudience, type Forecast } from './forecast.ts';
export { contactsMatching, handKeptMembers, type ContactSelection } from './store/contactSelections.ts';
export { getMessage, messageList, type ListQuery, type MessageFilter } from './store/messages.ts';
export { getWorkItem, workItemList, type WorkItemFilter } from './store/activitiesLeads.ts';
export { previewLinks } from './email/previewLinks.ts';
export { loadPreviewRecipient, type PreviewRecipient } from './store/previewRecipient.ts';
export {
  createSession,
  ensureOrganizationAdmin,
  findCurrentSession,
  findUserByEmail,
  findUserById,
  revokeSession,
  revokeUserSessions,
  setPasswordHash,
  setUserActive,
  touchSession,
  type SessionUser,
  type SignInMethod,
  type SignInUser,
} from './store/people.ts';
export { reviewDraft, publishJourneyDraft, type DraftChanges, type DraftReview, type PublishOutcome } from './versions.ts';
export {
  getJourneyDraft,
  saveJourneyDraft,
  discardJourneyDraft,
  listJourneyVersions,
  getJourneyVersion,
  recordFirstVersion,
  type JourneyDraft,
  type JourneyVersion,
} from './store/journeyVersions.ts';
