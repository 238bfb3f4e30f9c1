/**
 * Event types Waymark records itself, each from what really happened: a message handed to the
 * mail server, a signed open pixel or click link, a bounce report, a public form or page, the
 * subscription center, lead scoring. Triggers, segments, insights and scores believe them, so an
 * API client may not post them as custom events (an `email_clicked` posted through the API would
 * fire click triggers and inflate insights for a click nobody made).
 */
export const BUILT_IN_EVENT_TYPES = [
  'email_delivered',
  'email_opened',
  'email_clicked',
  'email_bounced',
  'form_submitted',
  'page_visited',
  'subscribed',
  'unsubscribed',
  'lead_sales_ready',
] as const;
export type BuiltInEventType = (typeof BUILT_IN_EVENT_TYPES)[number];

const builtIn: ReadonlySet<string> = new Set(BUILT_IN_EVENT_TYPES);

export const isBuiltInEventType = (type: string): type is BuiltInEventType => builtIn.has(type);
