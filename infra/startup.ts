/**
 * How a process of the project (the worker, the API, `npm run dev`, `npm run temporal:setup`)
 * stops when it cannot start for a reason the person running it can fix: wrong configuration, a
 * Temporal cluster without the search attributes, a folder Postgres cannot enter. Such a reason
 * is a StartupRefusal; its message says what is missing and what to do, so it is printed alone
 * (no stack trace, which would bury it) and the process exits with code 1. Anything else is a
 * bug or an outage and keeps its stack.
 */
export class StartupRefusal extends Error {}

/** The text to print for a failed start: a refusal's message after "groeipad: ", else the stack. */
export function describeStartupFailure(err: unknown): string {
  if (err instanceof StartupRefusal) return `groeipad: ${err.message}`;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Ends the process for a refusal with its one line on stderr and exit code 1; anything else is thrown on. */
export function exitOnRefusal(err: unknown): never {
  if (!(err instanceof StartupRefusal)) throw err;
  process.stderr.write(`${describeStartupFailure(err)}\n`);
  process.exit(1);
}
