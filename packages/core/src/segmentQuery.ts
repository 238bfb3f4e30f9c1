import { z } from 'zod';
import { Duration, durationToMillis } from './duration.ts';

export const AttributeOp = z.enum(['eq', 'neq', 'in', 'notIn', 'contains', 'startsWith', 'gt', 'gte', 'lt', 'lte', 'exists', 'notExists']);
export type AttributeOp = z.infer<typeof AttributeOp>;

const Scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
export const AttributeValue = z.union([Scalar, z.array(Scalar).max(1000)]);
export type AttributeValue = z.infer<typeof AttributeValue>;

export type SegmentQuery =
  | { and: SegmentQuery[] }
  | { or: SegmentQuery[] }
  | { not: SegmentQuery }
  | { attribute: string; op: AttributeOp; value?: AttributeValue }
  | { account: SegmentQuery }
  | { event: string; where?: Record<string, unknown>; count?: { gte?: number; lte?: number }; within?: string }
  | { inSegment: string }
  | { subscribedTo: string };

/**
 * Contact fields that are built in rather than custom attributes. `leadScore` (the highest score of
 * the contact's leads, and of its account's account-level leads; absent without a lead) and
 * `salesReady` (one of those leads reached a scoring model's sales-ready threshold) are derived.
 */
export const CONTACT_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'consent',
  'timeZone',
  'accountId',
  'businessUnitId',
  'ownerUserId',
  'createdAt',
  'leadScore',
  'salesReady',
] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
/** The value type of each built-in contact field, for validating comparisons. */
export const CONTACT_FIELD_TYPES: Record<ContactField, 'string' | 'number' | 'boolean'> = {
  email: 'string',
  firstName: 'string',
  lastName: 'string',
  consent: 'string',
  timeZone: 'string',
  accountId: 'string',
  businessUnitId: 'string',
  ownerUserId: 'string',
  createdAt: 'string',
  leadScore: 'number',
  salesReady: 'boolean',
};
export const ACCOUNT_FIELDS = ['name', 'businessUnitId', 'ownerUserId'] as const;

const EventCount = z.number().int().nonnegative().max(1_000_000_000);
const MAX_WITHIN_MS = 100 * 365 * 86_400_000;

/** Zod runs this refinement even when the text is no duration at all; Duration reports that one. */
function withinBound(iso: string): boolean {
  try {
    return durationToMillis(iso) <= MAX_WITHIN_MS;
  } catch {
    return true;
  }
}

const AttributeName = z.string().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'attribute names are letters, digits, _ and .');

export const SegmentQuery: z.ZodType<SegmentQuery> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(SegmentQuery).min(1).max(100) }).strict(),
    z.object({ or: z.array(SegmentQuery).min(1).max(100) }).strict(),
    z.object({ not: SegmentQuery }).strict(),
    z
      .object({ attribute: AttributeName, op: AttributeOp, value: AttributeValue.optional() })
      .strict()
      .superRefine((q, ctx) => {
        const needsValue = q.op !== 'exists' && q.op !== 'notExists';
        if (needsValue && q.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${q.op} needs a value` });
        if ((q.op === 'in' || q.op === 'notIn') && q.value !== undefined && !Array.isArray(q.value)) {
          ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${q.op} needs an array value` });
        }
      }),
    z.object({ account: SegmentQuery }).strict(),
    z
      .object({
        event: z.string().min(1).max(100),
        // Scalars only: an event matches when each named property equals the value given.
        where: z.record(z.string().max(100).refine((key) => key !== '__proto__', 'reserved name'), Scalar).optional(),
        count: z.object({ gte: EventCount.optional(), lte: EventCount.optional() }).strict().optional(),
        within: Duration.refine((iso) => withinBound(iso), 'at most 100 years').optional(),
      })
      .strict(),
    z.object({ inSegment: z.string().min(1) }).strict(),
    z.object({ subscribedTo: z.string().min(1) }).strict(),
  ]),
);
