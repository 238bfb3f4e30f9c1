import type { Tile } from '@waymark/core';

export interface TemplateSummary {
  id: string;
  name: string;
  category: string;
  description: string;
}

export interface BuiltInTemplate extends TemplateSummary {
  tiles: Tile[];
}

const audience = (name: string, next: string): Tile => ({ id: 'audience', type: 'segmentGroup', name, combine: 'union', segments: [], next });

/**
 * Used when the server offers no GET /journey-templates: one starter pipeline per kind of campaign.
 * Records (segments, emails) are left for the marketer to choose, as in a template anywhere.
 */
export const BUILT_IN_TEMPLATES: readonly BuiltInTemplate[] = [
  {
    id: 'builtin-welcome',
    name: 'Welcome series',
    category: 'Welcome series',
    description: 'Greet new subscribers, then follow up with tips three days later.',
    tiles: [
      audience('New subscribers', 'welcome'),
      { id: 'welcome', type: 'email', name: 'Welcome', emailId: null, next: 'wait' },
      { id: 'wait', type: 'scheduler', name: 'Wait 3 days', wait: { for: 'P3D' }, next: 'tips' },
      { id: 'tips', type: 'email', name: 'Getting started tips', emailId: null, next: null },
    ],
  },
  {
    id: 'builtin-newsletter',
    name: 'Newsletter',
    category: 'Newsletter',
    description: 'Send one issue of your newsletter to a subscription list.',
    tiles: [audience('Newsletter subscribers', 'issue'), { id: 'issue', type: 'email', name: 'Newsletter issue', emailId: null, next: null }],
  },
  {
    id: 'builtin-event',
    name: 'Event invitation',
    category: 'Event invitation',
    description: 'Invite contacts to an event; remind those who did not click within a week.',
    tiles: [
      audience('Invitees', 'invite'),
      { id: 'invite', type: 'email', name: 'Invitation', emailId: null, next: 'registered' },
      { id: 'registered', type: 'trigger', name: 'Registered?', rules: [{ tile: 'invite', on: 'clicked' }], match: 'any', timeout: 'P7D', basis: 'contact', onTrue: 'confirm', onFalse: 'reminder' },
      { id: 'confirm', type: 'email', name: 'See you there', emailId: null, next: null },
      { id: 'reminder', type: 'email', name: 'Invitation reminder', emailId: null, next: null },
    ],
  },
  {
    id: 'builtin-reengagement',
    name: 'Re-engagement',
    category: 'Re-engagement',
    description: 'Win back inactive contacts with an offer; ask sales to review the silent ones.',
    tiles: [
      audience('Inactive contacts', 'miss'),
      { id: 'miss', type: 'email', name: 'We miss you', emailId: null, next: 'opened' },
      { id: 'opened', type: 'trigger', name: 'Opened?', rules: [{ tile: 'miss', on: 'opened' }], match: 'any', timeout: 'P14D', basis: 'contact', onTrue: 'offer', onFalse: 'review' },
      { id: 'offer', type: 'email', name: 'Special offer', emailId: null, next: null },
      { id: 'review', type: 'activity', name: 'Review contact', activityType: 'task', subject: 'Review an inactive contact', assignTo: 'contactOwner', perAccount: false, next: null },
    ],
  },
  {
    id: 'builtin-nurture',
    name: 'Lead nurturing',
    category: 'Lead nurturing',
    description: 'Offer a white paper; a click makes a lead and a phone call for sales, no click a reminder.',
    tiles: [
      audience('Prospects', 'paper'),
      { id: 'paper', type: 'email', name: 'White paper', emailId: null, next: 'downloaded' },
      { id: 'downloaded', type: 'trigger', name: 'Downloaded?', rules: [{ tile: 'paper', on: 'clicked' }], match: 'any', timeout: 'P7D', basis: 'contact', onTrue: 'lead', onFalse: 'remind' },
      { id: 'lead', type: 'createLead', name: 'Interested', topic: 'White paper', perAccount: false, next: 'call' },
      { id: 'call', type: 'activity', name: 'Call', activityType: 'phoneCall', subject: 'Call about the white paper', dueIn: 'P2D', assignTo: 'journeyOwner', perAccount: false, next: null },
      { id: 'remind', type: 'email', name: 'Reminder', emailId: null, next: null },
    ],
  },
];
