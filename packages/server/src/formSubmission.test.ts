import { describe, expect, it } from 'vitest';
import { FormFields, type FormField } from './formFields.ts';
import { HONEYPOT, readSubmission, toFormSubmission, urlencodedValues } from './formSubmission.ts';

const fields: FormField[] = FormFields.parse([
  { name: 'email', type: 'email', required: true },
  { name: 'firstName', type: 'text' },
  { name: 'size', type: 'number' },
  { name: 'plan', type: 'select', options: ['Basic', 'Pro'] },
  { name: 'ref', type: 'hidden' },
  { name: 'note', type: 'text', saveToContact: false },
  { name: 'agree', type: 'checkbox' },
  { name: 'news', type: 'checkbox', consent: 'subscriptions', subscriptionListId: 'news' },
  { name: 'offers', type: 'checkbox', consent: 'marketing' },
]);

describe('reading a submission', () => {
  it('turns text into typed values and empty into null', () => {
    const { values, errors, bot } = readSubmission(fields, urlencodedValues('email=+a%40b.co+&firstName=&size=-1.5e2&plan=Pro&agree=on&ref=x&ref=y'));
    expect(errors).toEqual([]);
    expect(bot).toBe(false);
    expect(values).toEqual({ email: 'a@b.co', firstName: null, size: -150, plan: 'Pro', ref: 'x', note: null, agree: true, news: false, offers: false });
  });

  it('names every problem by its field', () => {
    const { errors } = readSubmission(fields, { email: '', size: '1,5', plan: 'pro', agree: 'perhaps', firstName: 'x'.repeat(1001), note: { a: 1 } });
    expect(errors).toEqual([
      { path: 'email', message: 'this field is required' },
      { path: 'firstName', message: 'at most 1000 characters' },
      { path: 'size', message: 'enter a number' },
      { path: 'plan', message: 'choose one of the options' },
      { path: 'note', message: 'expected a single value' },
      { path: 'agree', message: 'tick the box or leave it empty' },
    ]);
    expect(readSubmission(fields, { email: 'a@b.co', size: Infinity }).errors).toEqual([{ path: 'size', message: 'enter a number' }]);
    expect(readSubmission(fields, { email: 'a@b.co', size: 'Infinity' }).errors).toEqual([{ path: 'size', message: 'enter a number' }]);
  });

  it('spots the honeypot, and ignores keys that are not fields', () => {
    expect(readSubmission(fields, { email: 'a@b.co', [HONEYPOT]: 'http://spam' }).bot).toBe(true);
    expect(readSubmission(fields, { email: 'a@b.co', [HONEYPOT]: '  ' }).bot).toBe(false);
    expect(readSubmission(fields, { email: 'a@b.co', __proto__: 'x', constructor: 'y' } as Record<string, unknown>).errors).toEqual([]);
  });
});

describe('what a submission does to the contact', () => {
  const form = { id: 'f', fields, subscriptionListId: 'main' };

  it('maps names, attributes, the highest consent given and the lists chosen', () => {
    const { values } = readSubmission(fields, { email: 'a@b.co', firstName: 'Ann', size: '3', note: 'hi', agree: 'on', news: 'on', offers: 'on' });
    expect(toFormSubmission(form, values)).toEqual({
      formId: 'f',
      email: 'a@b.co',
      firstName: 'Ann',
      lastName: null,
      attributes: { size: 3, agree: true },
      consent: 'marketing',
      listIds: ['news', 'main'],
      fields: values,
    });
  });

  it('joins the form list only with consent when the form asks for it', () => {
    const { values } = readSubmission(fields, { email: 'a@b.co' });
    expect(toFormSubmission(form, values)).toMatchObject({ consent: null, listIds: [], attributes: { agree: false } });
    const noConsentForm = { id: 'g', fields: FormFields.parse([{ name: 'email', type: 'email' }]), subscriptionListId: 'main' };
    expect(toFormSubmission(noConsentForm, { email: 'a@b.co' }).listIds).toEqual(['main']);
  });
});
