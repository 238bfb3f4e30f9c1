// A marketing form as an accessible HTML form: every input has a label, consent boxes sit in a
// fieldset with a legend, hints and errors are tied to their input with aria-describedby, and a
// summary of the errors comes first. Every value shown is escaped.
import { isRequired, type FormField } from './formFields.ts';
import { HONEYPOT, type SubmittedValue } from './formSubmission.ts';
import { escapeHtml, htmlDocument } from './html.ts';
import type { FieldError } from './problem.ts';

export interface PublicForm {
  id: string;
  name: string;
  fields: FormField[];
}

export interface FormState {
  /** What the visitor entered (to show again after an error), or hidden-field values from the link. */
  values?: Record<string, SubmittedValue | undefined>;
  errors?: readonly FieldError[];
}

const AUTOCOMPLETE: Record<string, string> = { firstName: 'given-name', lastName: 'family-name' };

const inputId = (field: FormField) => `f-${field.name}`;
const labelOf = (field: FormField) => field.label || field.name;

function describedBy(field: FormField, error: string | undefined): string {
  const ids = [error ? `${inputId(field)}-error` : null, field.help ? `${inputId(field)}-help` : null].filter(Boolean);
  return ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : '';
}

function notes(field: FormField, error: string | undefined): string {
  return [
    field.help ? `<p class="wm-help" id="${inputId(field)}-help">${escapeHtml(field.help)}</p>` : '',
    error ? `<p class="wm-error" id="${inputId(field)}-error">${escapeHtml(error)}</p>` : '',
  ].join('');
}

const requiredMark = (field: FormField) => (isRequired(field) ? ' <span class="wm-required" aria-hidden="true">*</span>' : '');

function renderField(field: FormField, value: SubmittedValue | undefined, error: string | undefined): string {
  const id = inputId(field);
  const invalid = error ? ' aria-invalid="true"' : '';
  const required = isRequired(field) ? ' required' : '';
  const text = value === undefined || value === null ? '' : String(value);
  switch (field.type) {
    case 'hidden':
      return `<input type="hidden" name="${escapeHtml(field.name)}" value="${escapeHtml(text)}">`;
    case 'checkbox':
      return `<div class="wm-check"><input type="checkbox" id="${id}" name="${escapeHtml(field.name)}" value="on"${value === true ? ' checked' : ''}${required}${invalid}${describedBy(field, error)}>
<label for="${id}">${escapeHtml(labelOf(field))}${requiredMark(field)}</label></div>${notes(field, error)}`;
    case 'select': {
      const options = [`<option value="">Choose…</option>`, ...field.options!.map((option) => `<option${option === text ? ' selected' : ''}>${escapeHtml(option)}</option>`)];
      return `<div class="wm-field"><label for="${id}">${escapeHtml(labelOf(field))}${requiredMark(field)}</label>
<select id="${id}" name="${escapeHtml(field.name)}"${required}${invalid}${describedBy(field, error)}>${options.join('')}</select>${notes(field, error)}</div>`;
    }
    case 'email':
    case 'text':
    case 'number': {
      const autocomplete = field.type === 'email' ? 'email' : (AUTOCOMPLETE[field.name] ?? 'off');
      const extra = field.type === 'number' ? ' inputmode="decimal" step="any"' : field.type === 'text' ? ' maxlength="1000"' : ' maxlength="320"';
      return `<div class="wm-field"><label for="${id}">${escapeHtml(labelOf(field))}${requiredMark(field)}</label>
<input type="${field.type}" id="${id}" name="${escapeHtml(field.name)}" value="${escapeHtml(text)}" autocomplete="${autocomplete}"${extra}${required}${invalid}${describedBy(field, error)}>${notes(field, error)}</div>`;
    }
  }
}

/** The <form> element, for the form's own page and for landing pages that embed it. */
export function renderForm(form: PublicForm, state: FormState = {}, options: { headingLevel?: 2 | 3 } = {}): string {
  const errors = new Map<string, string>();
  for (const error of state.errors ?? []) if (!errors.has(error.path)) errors.set(error.path, error.message);
  const values = state.values ?? {};
  const field = (one: FormField) => renderField(one, values[one.name], errors.get(one.name));
  const consent = form.fields.filter((one) => one.type === 'checkbox' && (one.consent !== undefined || one.subscriptionListId !== undefined));
  const details = form.fields.filter((one) => one.type !== 'hidden' && !consent.includes(one));
  const hidden = form.fields.filter((one) => one.type === 'hidden');
  const level = options.headingLevel ?? 2;
  const summary =
    errors.size === 0
      ? ''
      : `<div class="wm-summary" role="alert" aria-labelledby="wm-summary-title">
<h${level} id="wm-summary-title">Please correct ${errors.size === 1 ? 'this' : `these ${errors.size}`} ${errors.size === 1 ? 'field' : 'fields'}</h${level}>
<ul>${[...errors].map(([name, message]) => {
          const known = form.fields.find((one) => one.name === name);
          return known && known.type !== 'hidden'
            ? `<li><a href="#${inputId(known)}">${escapeHtml(labelOf(known))}: ${escapeHtml(message)}</a></li>`
            : `<li>${escapeHtml(known ? labelOf(known) : name)}: ${escapeHtml(message)}</li>`;
        }).join('')}</ul>
</div>`;
  const required = form.fields.some((one) => isRequired(one) && one.type !== 'hidden') ? `<p>Fields marked <span class="wm-required" aria-hidden="true">*</span><span class="wm-sr">with an asterisk</span> are required.</p>` : '';
  return `${summary}
<form method="post" action="/f/${encodeURIComponent(form.id)}" accept-charset="utf-8">
${required}
<fieldset>
<legend>Your details</legend>
${details.map(field).join('\n')}
</fieldset>
${consent.length > 0 ? `<fieldset>\n<legend>Consent</legend>\n${consent.map(field).join('\n')}\n</fieldset>` : ''}
${hidden.map(field).join('\n')}
<div class="wm-hp" aria-hidden="true"><label for="wm-website">Leave this field empty</label><input type="text" id="wm-website" name="${HONEYPOT}" value="" tabindex="-1" autocomplete="off"></div>
<button type="submit">Submit</button>
</form>`;
}

/** The form's own page at /f/{id}. */
export function formDocument(form: PublicForm, state: FormState = {}): string {
  const hasErrors = (state.errors?.length ?? 0) > 0;
  return htmlDocument({ title: `${hasErrors ? 'Error: ' : ''}${form.name}`, main: `<h1>${escapeHtml(form.name)}</h1>\n${renderForm(form, state)}` });
}

/** The page after a successful submission. */
export function thankYouDocument(message: string | null): string {
  return htmlDocument({ title: 'Thank you', main: `<h1>Thank you</h1>\n<p>${escapeHtml(message || 'We have received your submission.')}</p>` });
}
