import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose values could be personal data (a participant's or partner's name, address, a note
 * about them, an email's content) or a credential. Whatever object a line carries, these are
 * replaced, at any of the first four levels: callers need not remember which fields are safe.
 */
export const REDACTED_KEYS = [
  'email',
  'partner_email',
  'first_name',
  'last_name',
  'firstName',
  'lastName',
  'name',
  'display_name',
  'displayName',
  'phone',
  'birth_date',
  'birthDate',
  'address',
  'to',
  'from',
  'subject',
  'html',
  'text',
  'body',
  'note',
  'notes',
  'params',
  'token',
  'password',
  'authorization',
  'cookie',
  'set-cookie',
] as const;

function redactPaths(keys: readonly string[], depth = 4): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    for (let level = 0; level < depth; level++) {
      const prefix = '*.'.repeat(level);
      paths.push(segment.startsWith('[') ? `${prefix.replace(/\.$/, '')}${segment}` : `${prefix}${segment}`);
    }
  }
  return paths;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * A signed link's token (72 base64url characters), an opt-out signature (43), a JWT's parts:
 * long runs of base64url with upper- and lowercase letters and digits. UUIDs (lowercase hex) and
 * workflow ids ("path-<uuid>") do not match, so the ids a line is about stay readable.
 */
const TOKEN = /(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])/g;

/**
 * The last line of defence, on the finished JSON line: an email address or a token inside a
 * message or an error (a database error quoting a value, a URL in a stack) is masked too.
 */
export function scrubLine(line: string): string {
  return line.replace(EMAIL, '[email]').replace(TOKEN, '[token]');
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where the JSON lines go; stdout by default. Tests pass a stream that captures them. */
  destination?: DestinationStream;
  /** Fields on every line, e.g. { service: 'api' }. */
  base?: Record<string, unknown>;
}

/**
 * The one logger factory of the API, the worker and the activities: JSON lines (pino), ISO
 * timestamps, level names, personal data redacted by key and masked by pattern.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(REDACTED_KEYS), censor: '[redacted]' },
      hooks: { streamWrite: scrubLine },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * A request path fit for a log line: the token segments of link pages (/mijn-pad/:token,
 * /doorverwijzing/:token, /afmelden/:personId/:token) replaced, the query string dropped (it is
 * not passed in). Ids (UUIDs) stay: they name no one outside the database.
 */
export function loggablePath(path: string): string {
  const segments = path.split('/');
  return segments
    .map((segment, i) => {
      const previous = segments[i - 1];
      if (previous === 'mijn-pad' || previous === 'doorverwijzing') return ':token';
      if (segments[1] === 'afmelden' && i === 3) return ':token';
      return segment;
    })
    .join('/')
    .replace(TOKEN, ':token');
}
