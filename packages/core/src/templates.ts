import type { JourneyDefinition, Tile } from './schema.ts';

export const TEMPLATE_CATEGORIES = [
  'welcome series',
  'newsletter',
  'event invitation',
  're-engagement',
  'lead nurturing',
  'account-based outreach',
  'onboarding',
  'win-back',
] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** The settings a template carries besides its pipeline; schedule and records are left to configure. */
type TemplateSettings = Pick<JourneyDefinition, 'target' | 'minimumConsent'> & { recurrence?: JourneyDefinition['recurrence'] };

export interface JourneyTemplate {
  id: string;
  name: string;
  category: TemplateCategory;
  description: string;
  settings: TemplateSettings;
  /** The pipeline: records (segments, emails, workflows) are left empty, to be chosen. */
  tiles: Tile[];
}

const audience = (next: string): Tile => ({ id: 'audience', type: 'segmentGroup', name: 'Audience', combine: 'union', segments: [], next });
const email = (id: string, name: string, next: string | null): Tile => ({ id, type: 'email', name, emailId: null, next });
const wait = (id: string, duration: string, next: string | null): Tile => ({ id, type: 'scheduler', name: `Wait ${duration.slice(1).toLowerCase()}`, wait: { for: duration }, next });
/** A trigger that waits for an interaction with an upstream email tile. */
const interacted = (
  id: string,
  emailTile: string,
  on: 'opened' | 'clicked',
  timeout: string,
  onTrue: string | null,
  onFalse: string | null,
  basis: 'contact' | 'account' = 'contact',
): Tile => ({ id, type: 'trigger', name: on === 'clicked' ? 'Clicked?' : 'Opened?', rules: [{ tile: emailTile, on }], match: 'any', timeout, basis, onTrue, onFalse });

/** The catalog behind the "Journey templates" dialog. */
export const JOURNEY_TEMPLATES: readonly JourneyTemplate[] = [
  {
    id: 'welcome-series',
    name: 'Welcome series',
    category: 'welcome series',
    description: 'Greet new subscribers with three emails over a week, and tell sales about the ones who engage.',
    settings: { target: 'contacts', minimumConsent: 'subscriptions' },
    tiles: [audience('welcome'), email('welcome', 'Welcome', 'wait1'), wait('wait1', 'P2D', 'tips'), email('tips', 'Getting the most out of it', 'wait2'), wait('wait2', 'P5D', 'offer'), email('offer', 'A first offer', 'engaged'), interacted('engaged', 'offer', 'clicked', 'P3D', 'lead', null), { id: 'lead', type: 'createLead', name: 'Engaged subscriber', topic: 'Welcome series', perAccount: false, next: null }],
  },
  {
    id: 'newsletter',
    name: 'Monthly newsletter',
    category: 'newsletter',
    description: 'Send the newsletter to a subscription list every 30 days.',
    settings: { target: 'contacts', minimumConsent: 'subscriptions', recurrence: { intervalDays: 30, count: 12 } },
    tiles: [audience('issue'), email('issue', 'Newsletter issue', null)],
  },
  {
    id: 'event-invitation',
    name: 'Event invitation',
    category: 'event invitation',
    description: 'Invite, remind those who did not open, and create a follow-up task for those who registered.',
    settings: { target: 'contacts', minimumConsent: 'marketing' },
    tiles: [
      audience('invite'),
      email('invite', 'Invitation', 'opened'),
      interacted('opened', 'invite', 'opened', 'P3D', 'registered', 'reminder'),
      email('reminder', 'Reminder', null),
      { id: 'registered', type: 'trigger', name: 'Registered?', rules: [{ event: 'event_registered' }], match: 'any', timeout: 'P14D', basis: 'contact', onTrue: 'follow', onFalse: null },
      { id: 'follow', type: 'activity', name: 'Welcome at the event', activityType: 'task', subject: 'Greet the registrant at the event', assignTo: 'contactOwner', perAccount: false, next: null },
    ],
  },
  {
    id: 're-engagement',
    name: 'Re-engagement',
    category: 're-engagement',
    description: 'Win back attention from contacts who have not opened lately; a split tests two subject lines.',
    settings: { target: 'contacts', minimumConsent: 'marketing' },
    tiles: [
      audience('split'),
      { id: 'split', type: 'splitter', name: 'A/B subject line', mode: 'percentage', branches: [{ share: 50, next: 'a' }, { share: 50, next: 'b' }] },
      email('a', 'We miss you (A)', null),
      email('b', 'Still interested? (B)', null),
    ],
  },
  {
    id: 'lead-nurturing',
    name: 'White paper lead nurturing',
    category: 'lead nurturing',
    description: 'Offer a white paper; a click makes a lead and a phone call for sales, no click gets a reminder.',
    settings: { target: 'contacts', minimumConsent: 'marketing' },
    tiles: [
      audience('paper'),
      email('paper', 'White paper', 'clicked'),
      interacted('clicked', 'paper', 'clicked', 'P7D', 'lead', 'reminder'),
      { id: 'lead', type: 'createLead', name: 'Interested', topic: 'White paper', perAccount: false, next: 'call' },
      { id: 'call', type: 'activity', name: 'Call', activityType: 'phoneCall', subject: 'Call about the white paper', dueIn: 'P2D', assignTo: 'journeyOwner', perAccount: false, next: null },
      email('reminder', 'Reminder', null),
    ],
  },
  {
    id: 'account-based-outreach',
    name: 'Account-based outreach',
    category: 'account-based outreach',
    description: 'Reach every buyer at target accounts; the first click from an account moves the whole account on, with one task per account.',
    settings: { target: 'accounts', minimumConsent: 'marketing' },
    tiles: [
      audience('intro'),
      email('intro', 'Introduction', 'engaged'),
      interacted('engaged', 'intro', 'clicked', 'P10D', 'task', null, 'account'),
      { id: 'task', type: 'activity', name: 'Account follow-up', activityType: 'task', subject: 'Follow up with the account', assignTo: 'accountOwner', perAccount: true, next: 'lead' },
      { id: 'lead', type: 'createLead', name: 'Account lead', topic: 'Account-based outreach', perAccount: true, next: null },
    ],
  },
  {
    id: 'onboarding',
    name: 'Customer onboarding',
    category: 'onboarding',
    description: 'Guide new customers through setup, and call the ones who have not completed it after two weeks.',
    settings: { target: 'contacts', minimumConsent: 'transactional' },
    tiles: [
      audience('start'),
      email('start', 'Getting started', 'setup'),
      { id: 'setup', type: 'trigger', name: 'Set up?', rules: [{ event: 'setup_completed' }], match: 'any', timeout: 'P14D', basis: 'contact', onTrue: null, onFalse: 'help' },
      { id: 'help', type: 'activity', name: 'Offer help', activityType: 'phoneCall', subject: 'Offer help with setup', assignTo: 'contactOwner', perAccount: false, next: null },
    ],
  },
  {
    id: 'win-back',
    name: 'Win-back',
    category: 'win-back',
    description: 'Bring lapsed customers back with an offer, and hand the ones who respond to a workflow.',
    settings: { target: 'contacts', minimumConsent: 'marketing' },
    tiles: [
      audience('offer'),
      email('offer', 'Come back offer', 'clicked'),
      interacted('clicked', 'offer', 'clicked', 'P7D', 'crm', 'last'),
      { id: 'crm', type: 'launchWorkflow', name: 'Notify CRM', workflowId: null, perAccount: false, next: null },
      email('last', 'Last chance', null),
    ],
  },
];

/** Templates whose name, category or description contains `q`, optionally of one category. */
export function searchTemplates(q?: string, category?: string): JourneyTemplate[] {
  const needle = q?.trim().toLowerCase();
  return JOURNEY_TEMPLATES.filter(
    (template) =>
      (!category || template.category === category) &&
      (!needle || [template.name, template.category, template.description].some((text) => text.toLowerCase().includes(needle))),
  );
}
