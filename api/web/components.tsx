import type { Child } from 'hono/jsx';
import { valueOf, valuesOf, type FormState } from './form-input.js';

/**
 * Form fields with a label each, a hint where it helps, and the error right under the label,
 * tied to the input with aria-describedby. `prefix` keeps ids unique when a page has several
 * forms with the same field names.
 */

export type Options = ReadonlyArray<readonly [value: string, label: string]>;

export function optionsFrom<T extends string>(codes: readonly T[], labels: Record<T, string>): Options {
  return codes.map((code) => [code, labels[code]] as const);
}

interface FieldProps {
  prefix: string;
  name: string;
  label: string;
  hint?: string | undefined;
  state?: FormState | undefined;
  required?: boolean;
}

const fieldId = (prefix: string, name: string) => `${prefix}-${name}`;

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Hint({ id, hint }: { id: string; hint?: string | undefined }) {
  return hint ? (
    <span class="hint" id={`${id}-hint`}>
      {hint}
    </span>
  ) : null;
}

function ErrorText({ id, error }: { id: string; error?: string | undefined }) {
  return error ? (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}

function Label({ id, label, required }: { id: string; label: string; required?: boolean | undefined }) {
  return (
    <label for={id}>
      {label}
      {required ? null : <span class="muted"> (niet verplicht)</span>}
    </label>
  );
}

/** The frame every single-control field shares: label, hint, error, then the control. */
function Field(props: { id: string; label: string; required?: boolean | undefined; hint?: string | undefined; error?: string | undefined; children: Child }) {
  return (
    <div class="field">
      <Label id={props.id} label={props.label} required={props.required} />
      <Hint id={props.id} hint={props.hint} />
      <ErrorText id={props.id} error={props.error} />
      {props.children}
    </div>
  );
}

export function TextField(props: FieldProps & { type?: 'text' | 'email' | 'tel' | 'date'; autocomplete?: string; inputmode?: 'numeric' | 'email' | 'tel' | 'text' }) {
  const id = fieldId(props.prefix, props.name);
  const error = props.state?.errors[props.name];
  return (
    <Field id={id} label={props.label} required={props.required} hint={props.hint} error={error}>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={valueOf(props.state?.values, props.name)}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, error)}
        aria-required={props.required ? 'true' : undefined}
      />
    </Field>
  );
}

export function TextArea(props: FieldProps) {
  const id = fieldId(props.prefix, props.name);
  const error = props.state?.errors[props.name];
  return (
    <Field id={id} label={props.label} required={props.required} hint={props.hint} error={error}>
      <textarea id={id} name={props.name} rows={4} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, props.hint, error)}>
        {valueOf(props.state?.values, props.name)}
      </textarea>
    </Field>
  );
}

export function Select(props: FieldProps & { options: Options; placeholder?: string; value?: string | undefined }) {
  const id = fieldId(props.prefix, props.name);
  const error = props.state?.errors[props.name];
  const current = props.state ? valueOf(props.state.values, props.name) : (props.value ?? '');
  return (
    <Field id={id} label={props.label} required={props.required} hint={props.hint} error={error}>
      <select id={id} name={props.name} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, props.hint, error)} aria-required={props.required ? 'true' : undefined}>
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === current}>
            {label}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Choices(props: FieldProps & { options: Options; type: 'radio' | 'checkbox'; checked: string[] }) {
  const id = fieldId(props.prefix, props.name);
  const error = props.state?.errors[props.name];
  return (
    <fieldset class="field" id={id} aria-describedby={describedBy(id, props.hint, error)} aria-invalid={error ? 'true' : undefined}>
      <legend>
        {props.label}
        {props.required ? null : <span class="muted"> (niet verplicht)</span>}
      </legend>
      <Hint id={id} hint={props.hint} />
      <ErrorText id={id} error={error} />
      {props.options.map(([value, label], i) => (
        <div class="choice">
          <input type={props.type} id={`${id}-${i}`} name={props.name} value={value} checked={props.checked.includes(value)} />
          <label for={`${id}-${i}`}>{label}</label>
        </div>
      ))}
    </fieldset>
  );
}

export function RadioGroup(props: FieldProps & { options: Options }) {
  return <Choices {...props} type="radio" checked={valuesOf(props.state?.values, props.name)} />;
}

export function CheckboxGroup(props: FieldProps & { options: Options }) {
  return <Choices {...props} type="checkbox" checked={valuesOf(props.state?.values, props.name)} />;
}

/** A single yes/no checkbox. */
export function Checkbox(props: FieldProps) {
  const id = fieldId(props.prefix, props.name);
  const error = props.state?.errors[props.name];
  const checked = valueOf(props.state?.values, props.name) !== '';
  return (
    <div class="field">
      <ErrorText id={id} error={error} />
      <div class="choice">
        <input type="checkbox" id={id} name={props.name} value="on" checked={checked} aria-describedby={describedBy(id, props.hint, error)} />
        <div>
          <label for={id}>{props.label}</label>
          <Hint id={id} hint={props.hint} />
        </div>
      </div>
    </div>
  );
}

export function Notice({ kind, title, children, id, focus }: { kind: 'ok' | 'error' | 'warn'; title?: string; children?: Child; id?: string; focus?: boolean }) {
  // A form that comes back with problems puts the focus on them (the pages have no script, so
  // the browser's own autofocus does it): a keyboard or screen-reader user starts there.
  return (
    <div class={`notice ${kind}`} role={kind === 'ok' ? 'status' : 'alert'} id={id} tabindex={focus ? -1 : undefined} autofocus={focus}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </div>
  );
}

/** At the top of a form that came back: what went wrong, with links to the fields. */
export function FormProblems({ state, prefix, labels }: { state?: FormState | undefined; prefix: string; labels: Record<string, string> }) {
  if (!state) return null;
  if (state.refused) {
    return (
      <Notice kind="error" title="Dit kan nu niet" id={`${prefix}-refused`} focus>
        <p>{state.refused}</p>
      </Notice>
    );
  }
  const entries = Object.entries(state.errors);
  if (entries.length === 0) return null;
  return (
    <Notice kind="error" title="Kijk dit even na" id={`${prefix}-problems`} focus>
      <ul>
        {entries.map(([name, message]) => (
          <li>
            {labels[name] ? <a href={`#${fieldId(prefix, name)}`}>{labels[name]}</a> : null}
            {labels[name] ? ': ' : ''}
            {message}
          </li>
        ))}
      </ul>
    </Notice>
  );
}

export function PhaseBadge({ phase, label }: { phase: string; label: string }) {
  return <span class={`badge phase-${phase}`}>{label}</span>;
}

/**
 * An email address that wraps where a reader expects it on a narrow phone: before the "@" and
 * after each dot or hyphen, never in the middle of a word.
 */
export function EmailAddress({ address }: { address: string }) {
  const parts = address.split(/(?=@)|(?<=[.-])/u);
  return (
    <span class="email">
      {parts.map((part, i) => (
        <>
          {i > 0 ? <wbr /> : null}
          <span>{part}</span>
        </>
      ))}
    </span>
  );
}
