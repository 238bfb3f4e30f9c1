// What a marketing form is made of, and where each submitted value goes: the email field finds
// (or creates) the contact, firstName/lastName fill its name, a consent box raises its consent and
// can join a subscription list, and every other field sets the custom attribute of its name.
import { CONTACT_FIELDS, ConsentLevel } from '@waymark/core';
import { z } from 'zod';
import type { AttributeType } from './routes/attributes.ts';

/** Names the public pages use for their own inputs (the honeypot); a form field cannot take them. */
export const RESERVED_PREFIX = 'wm_';
const NAME_FIELDS = new Set(['firstName', 'lastName']);
const CONTACT_FIELD_NAMES = new Set<string>(CONTACT_FIELDS);

export const FormField = z
  .object({
    name: z
      .string()
      .max(100)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'field names are letters, digits and _, not starting with a digit')
      .refine((name) => !name.startsWith(RESERVED_PREFIX), `names starting with ${RESERVED_PREFIX} are reserved`),
    label: z.string().trim().max(200).optional(),
    type: z.enum(['email', 'text', 'number', 'checkbox', 'select', 'hidden']),
    required: z.boolean().optional(),
    options: z.array(z.string().trim().min(1).max(200)).min(1).max(200).optional(),
    /** A hint shown under the field and read with it by screen readers. */
    help: z.string().trim().max(500).optional(),
    /** A checkbox that gives consent: ticked, it raises the contact's consent to this level. */
    consent: ConsentLevel.optional(),
    /** A checkbox that subscribes: ticked, it joins the contact to this list. */
    subscriptionListId: z.string().min(1).max(200).optional(),
    /** false keeps the value in the submission only, not on the contact. */
    saveToContact: z.boolean().optional(),
  })
  .strict()
  .superRefine((field, ctx) => {
    if (field.type === 'email' && field.required === false) {
      ctx.addIssue({ code: 'custom', path: ['required'], message: 'the email field is how a submission finds its contact: it is always required' });
    }
    if (field.type === 'select' && !field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select field needs options' });
    if (field.type !== 'select' && field.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a select field has options' });
    for (const key of ['consent', 'subscriptionListId'] as const) {
      if (field[key] !== undefined && field.type !== 'checkbox') ctx.addIssue({ code: 'custom', path: [key], message: `only a checkbox gives ${key === 'consent' ? 'consent' : 'a subscription'}` });
    }
    if (field.type === 'email' || field.saveToContact === false || field.consent !== undefined || field.subscriptionListId !== undefined) return;
    if (NAME_FIELDS.has(field.name)) {
      if (field.type === 'number' || field.type === 'checkbox') ctx.addIssue({ code: 'custom', path: ['type'], message: `${field.name} holds text: use a text, select or hidden field` });
    } else if (CONTACT_FIELD_NAMES.has(field.name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `${field.name} is a contact field a form cannot set (or set saveToContact: false)` });
    }
  });
export type FormField = z.infer<typeof FormField>;

export const FormFields = z
  .array(FormField)
  .min(1)
  .max(100)
  .superRefine((fields, ctx) => {
    // The email field is how a submission finds (or creates) its contact.
    const emails = fields.filter((field) => field.type === 'email').length;
    if (emails !== 1) ctx.addIssue({ code: 'custom', message: `a form needs exactly one field of type email (found ${emails})` });
    const seen = new Set<string>();
    fields.forEach((field, index) => {
      if (seen.has(field.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate field name ${field.name}` });
      seen.add(field.name);
    });
  });

/**
 * Whether a submission must fill the field in. The email field always: a submission without an
 * address has no contact to go to (an email-less one must never create or merge into one), as in
 * Dynamics 365 and Braze, where a form that creates contacts requires its email field.
 */
export const isRequired = (field: FormField): boolean => field.type === 'email' || field.required === true;

/** Where a field's value goes on the contact. */
export type FieldTarget = { kind: 'email' } | { kind: 'name'; column: 'firstName' | 'lastName' } | { kind: 'consent' } | { kind: 'attribute'; type: AttributeType } | { kind: 'none' };

export function fieldTarget(field: FormField): FieldTarget {
  if (field.type === 'email') return { kind: 'email' };
  if (field.consent !== undefined || field.subscriptionListId !== undefined) return { kind: 'consent' };
  if (field.saveToContact === false) return { kind: 'none' };
  if (field.name === 'firstName' || field.name === 'lastName') return { kind: 'name', column: field.name };
  return { kind: 'attribute', type: field.type === 'number' ? 'number' : field.type === 'checkbox' ? 'boolean' : 'string' };
}

/** Whether ticking any box on the form gives consent; a form-level list then needs one ticked. */
export const asksConsent = (fields: readonly FormField[]) => fields.some((field) => field.consent !== undefined);
