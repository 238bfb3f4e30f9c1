// Reads what someone typed into a public form: each value checked against its field (required,
// a real email address, a number, one of the options), every problem named by the field.
import type { ConsentLevel } from '@waymark/core';
import type { FormSubmission } from '@waymark/engine';
import { z } from 'zod';
import { asksConsent, fieldTarget, isRequired, RESERVED_PREFIX, type FormField } from './formFields.ts';
import type { FieldError } from './problem.ts';

export type SubmittedValue = string | number | boolean | null;

/** The hidden input bots fill in and people never see. */
export const HONEYPOT = `${RESERVED_PREFIX}website`;
const MAX_TEXT = 1000;
const TRUE_VALUES = new Set(['on', 'true', '1', 'yes']);
const FALSE_VALUES = new Set(['', 'off', 'false', '0', 'no']);
const Email = z.email().max(320);

export interface ReadSubmission {
  /** Each field's value: text trimmed, numbers as numbers, checkboxes as booleans, empty as null. */
  values: Record<string, SubmittedValue>;
  errors: FieldError[];
  /** The honeypot was filled in: a bot. */
  bot: boolean;
}

/** The first value of each key of a urlencoded body (a browser sends each of our fields once). */
export function urlencodedValues(text: string): Record<string, string> {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(text)) if (!(key in values)) values[key] = value;
  return values;
}

function isScalar(value: unknown): value is string | number | boolean | null | undefined {
  return value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);
}

function readOne(field: FormField, raw: unknown): { value: SubmittedValue; error?: string } {
  if (!isScalar(raw)) return { value: null, error: 'expected a single value' };
  if (field.type === 'checkbox') {
    if (raw === undefined || raw === null || raw === false) return { value: false };
    if (raw === true) return { value: true };
    const text = String(raw).trim().toLowerCase();
    if (TRUE_VALUES.has(text)) return { value: true };
    if (FALSE_VALUES.has(text)) return { value: false };
    return { value: null, error: 'tick the box or leave it empty' };
  }
  const text = raw === undefined || raw === null ? '' : typeof raw === 'string' ? raw.trim() : String(raw);
  if (text === '') return { value: null };
  if (text.length > MAX_TEXT) return { value: null, error: `at most ${MAX_TEXT} characters` };
  switch (field.type) {
    case 'email':
      return Email.safeParse(text).success ? { value: text } : { value: null, error: 'enter an email address like name@example.com' };
    case 'number': {
      const number = typeof raw === 'number' ? raw : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
      return Number.isFinite(number) ? { value: number } : { value: null, error: 'enter a number' };
    }
    case 'select':
      return field.options!.includes(text) ? { value: text } : { value: null, error: 'choose one of the options' };
    case 'text':
    case 'hidden':
      return { value: text };
  }
}

/** Checks every field of a submission; unknown keys are ignored. */
export function readSubmission(fields: readonly FormField[], raw: Record<string, unknown>): ReadSubmission {
  const honeypot = raw[HONEYPOT];
  const bot = typeof honeypot === 'string' ? honeypot.trim() !== '' : honeypot !== undefined && honeypot !== null;
  const values: Record<string, SubmittedValue> = {};
  const errors: FieldError[] = [];
  for (const field of fields) {
    const { value, error } = readOne(field, Object.hasOwn(raw, field.name) ? raw[field.name] : undefined);
    values[field.name] = value;
    if (error) errors.push({ path: field.name, message: error });
    else if (isRequired(field) && (value === null || value === false)) errors.push({ path: field.name, message: field.type === 'checkbox' ? 'tick this box to continue' : 'this field is required' });
  }
  return { values, errors, bot };
}

const CONSENT_ORDER: readonly ConsentLevel[] = ['none', 'consentGiven', 'transactional', 'subscriptions', 'marketing', 'profiling'];

/** What a valid submission does to the contact, in the engine's terms. */
export function toFormSubmission(form: { id: string; fields: readonly FormField[]; subscriptionListId: string | null }, values: Record<string, SubmittedValue>): FormSubmission {
  const submission: FormSubmission = { formId: form.id, email: '', firstName: null, lastName: null, attributes: {}, consent: null, listIds: [], fields: values };
  let consented = false;
  for (const field of form.fields) {
    const value = values[field.name] ?? null;
    const target = fieldTarget(field);
    switch (target.kind) {
      case 'email':
        // readSubmission refuses a submission without one; never let it become the address "null".
        if (typeof value !== 'string' || value === '') throw new Error('a form submission needs its email address');
        submission.email = value;
        break;
      case 'name':
        if (value !== null) submission[target.column] = String(value);
        break;
      case 'consent':
        if (value !== true) break;
        if (field.subscriptionListId) submission.listIds.push(field.subscriptionListId);
        if (field.consent) {
          consented = true;
          if (submission.consent === null || CONSENT_ORDER.indexOf(field.consent) > CONSENT_ORDER.indexOf(submission.consent)) submission.consent = field.consent;
        }
        break;
      case 'attribute':
        // An empty optional field says nothing: the contact keeps what it had.
        if (value !== null) submission.attributes[field.name] = value;
        break;
      case 'none':
        break;
    }
  }
  // The form's own list is the point of a sign-up form; when the form asks for consent, only a
  // submitter who gave it joins.
  if (form.subscriptionListId && (!asksConsent(form.fields) || consented)) submission.listIds.push(form.subscriptionListId);
  return submission;
}
