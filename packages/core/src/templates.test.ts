import { describe, expect, it } from 'vitest';
import { checkJourney } from './check.ts';
import { JourneyDefinition } from './schema.ts';
import { JOURNEY_TEMPLATES, searchTemplates, TEMPLATE_CATEGORIES } from './templates.ts';

const noRecords = { emails: new Map(), forms: new Map(), segments: new Set<string>(), subscriptionLists: new Set<string>(), workflows: new Set<string>(), contentSettings: new Set<string>() };
// What a template leaves for the marketer to choose; anything else would be a broken pipeline.
const TO_CONFIGURE = new Set(['emailMissing', 'segmentsMissing', 'workflowMissing']);

describe('journey templates', () => {
  it('covers every category with at least eight templates, each a sound pipeline waiting for its records', () => {
    expect(JOURNEY_TEMPLATES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(JOURNEY_TEMPLATES.map((t) => t.category))).toEqual(new Set(TEMPLATE_CATEGORIES));
    for (const template of JOURNEY_TEMPLATES) {
      const recurrence = template.settings.recurrence;
      const days = recurrence ? recurrence.intervalDays * recurrence.count : 30;
      const def = JourneyDefinition.parse({
        name: template.name,
        ...template.settings,
        startAt: '2026-01-01T00:00:00Z',
        endAt: new Date(Date.parse('2026-01-01T00:00:00Z') + days * 86_400_000).toISOString(),
        timeZone: 'UTC',
        tiles: template.tiles,
      });
      const codes = checkJourney(def, noRecords).map((error) => error.code);
      expect(codes.filter((code) => !TO_CONFIGURE.has(code)), template.id).toEqual([]);
      expect(codes).toContain('segmentsMissing');
    }
  });

  it('searches by words and filters by category', () => {
    expect(searchTemplates('white paper').map((t) => t.id)).toEqual(['lead-nurturing']);
    expect(searchTemplates(undefined, 'newsletter').map((t) => t.id)).toEqual(['newsletter']);
    expect(searchTemplates('ACCOUNT').map((t) => t.id)).toContain('account-based-outreach');
    expect(searchTemplates('no such thing')).toEqual([]);
  });
});
