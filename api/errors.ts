import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

/**
 * Expected failures (bad input, not signed in, not allowed, refused by the path) are ApiErrors
 * with a code; anything else is a bug and becomes a 500 with the request id logged.
 */

export const ERROR_STATUS = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  refused: 409,
  payload_too_large: 413,
  /** An Idempotency-Key reused for a different request. */
  idempotency_key_reused: 422,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export function errorBody(c: Context, code: ErrorCode, message: string, fields?: Record<string, string>) {
  return { error: { code, message, ...(fields ? { fields } : {}), requestId: c.get('requestId') as string } };
}

/** The first message per field, keyed by its dotted path ("birthDate", "commitments.0"). */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export function invalidInput(error: z.ZodError): ApiError {
  const fields = fieldErrors(error);
  return new ApiError('invalid_input', `Ongeldige invoer: ${Object.entries(fields).map(([f, m]) => `${f} (${m})`).join(', ')}`, fields);
}
