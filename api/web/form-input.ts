import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors.js';

/**
 * From an HTML form to the input of a shared zod schema, and back. A form sends strings only:
 * an empty field means "not given", a checkbox is there or not, a group of checkboxes repeats
 * its name. Which is which is read from the schema itself, so forms and API validate alike.
 */

/** What the person typed, kept to fill the form again. */
export type FormValues = Record<string, string | string[]>;

export interface FormState {
  values: FormValues;
  /** Per field, the first problem (Dutch). */
  errors: Record<string, string>;
  /** The path refused the action: the reason, for the whole form. */
  refused?: string;
}

export async function readForm(c: Context): Promise<FormValues> {
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new ApiError('invalid_input', 'Het formulier kon niet gelezen worden.', { _: 'geen geldig formulier' });
  }
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) values[key] = value.filter((v): v is string => typeof v === 'string');
    else if (typeof value === 'string') values[key] = value;
  }
  return values;
}

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/** The kind of value a field of the schema takes, through optional, default and the like. */
function baseType(schema: z.ZodType): string {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const def: ZodDef = (current as unknown as { _zod: { def: ZodDef } })._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return def.type;
  }
  return 'unknown';
}

/** The schema's input from the form's values: arrays for lists, booleans for checkboxes, no empty strings. */
export function formToInput(schema: z.ZodObject, values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const raw = values[key];
    const kind = baseType(field as z.ZodType);
    if (kind === 'array') input[key] = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).filter((v) => v !== '');
    else if (kind === 'boolean') input[key] = raw !== undefined && raw !== '' && raw !== 'false';
    else {
      const text = Array.isArray(raw) ? raw[0] : raw;
      if (text !== undefined && text.trim() !== '') input[key] = text;
      // A required field left empty stays empty, so that the schema's own message applies
      // ("vul een familienaam in") rather than "missing".
      else if (!(field as z.ZodType).safeParse(undefined).success) input[key] = '';
    }
  }
  return input;
}

/**
 * Per form field (the first part of a dotted path), the first problem, as a person reads it: a
 * choice left open is "Maak een keuze." rather than the list of codes the API names.
 */
export function formErrors(error: z.ZodError, values: FormValues = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_');
    if (errors[field]) continue;
    const raw = values[field];
    const empty = raw === undefined || (Array.isArray(raw) ? raw.every((v) => v === '') : raw.trim() === '');
    if (issue.code === 'invalid_value') errors[field] = empty ? 'Maak een keuze.' : 'Kies een van de mogelijkheden.';
    else if (empty && issue.code === 'invalid_format') errors[field] = 'Maak een keuze.';
    // A date left empty is missing, not malformed (a rule of its own, such as the partner's appointment date, keeps its words).
    else if (empty && (issue.code === 'invalid_type' || (issue.code === 'custom' && issue.params?.date === true))) errors[field] = 'Vul dit in.';
    else errors[field] = issue.message;
  }
  return errors;
}

export function valueOf(values: FormValues | undefined, name: string): string {
  const v = values?.[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

export function valuesOf(values: FormValues | undefined, name: string): string[] {
  const v = values?.[name];
  return Array.isArray(v) ? v : v ? [v] : [];
}

/**
 * A local path to go back to after sign-in; anything else (another site) becomes "/". Browsers
 * drop tabs and newlines from an address and read "\\" as "/", so "/\t/evil.example" would leave
 * the site: control characters and backslashes anywhere make it "/".
 */
export function localPath(target: string | undefined): string {
  return target && target.startsWith('/') && !target.startsWith('//') && !/[\u0000-\u001f\u007f\\]/u.test(target) ? target : '/';
}
