import { ConfigError, SECRET_CONFIG_KEYS } from './config.js';

/**
 * Secrets for a Lambda function, read when it starts rather than written into its configuration.
 *
 * A function's environment variables are plain text to anyone who may read its configuration
 * (lambda:GetFunctionConfiguration), so the deployment (infra/deploy/stack.ts) gives the API
 * function only where each secret is kept: `<NAME>_SECRET_ARN`, the ARN of a Secrets Manager
 * secret holding the value of `<NAME>` (one of SECRET_CONFIG_KEYS). At the first request the
 * values are fetched through the AWS Parameters and Secrets Lambda Extension (a layer that serves
 * Secrets Manager on localhost with the function's own role, and caches), so the API needs no
 * AWS SDK. Anywhere else (api/server.ts, the worker, the tests) no `_SECRET_ARN` variable is set
 * and the environment is used as it is.
 */

export const SECRET_ARN_SUFFIX = '_SECRET_ARN';

/** The extension's port unless the function sets PARAMETERS_SECRETS_EXTENSION_HTTP_PORT. */
const EXTENSION_PORT = 2773;

type Env = Record<string, string | undefined>;

/** The environment with every `<NAME>_SECRET_ARN` replaced by `<NAME>` and the secret's value. */
export async function withSecretsFromExtension(env: Env, fetchImpl: typeof fetch = fetch): Promise<Env> {
  const references = secretReferences(env);
  if (references.length === 0) return env;
  const token = env.AWS_SESSION_TOKEN;
  if (!token) throw new ConfigError(`Invalid configuration:\n  ${references[0]!.name}${SECRET_ARN_SUFFIX}: reading secrets needs AWS_SESSION_TOKEN (set by Lambda)`);
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? String(EXTENSION_PORT);
  const values = await Promise.all(
    references.map(async ({ name, arn }) => {
      const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}`;
      let res: Response;
      try {
        res = await fetchImpl(url, { headers: { 'X-Aws-Parameters-Secrets-Token': token } });
      } catch (err) {
        throw new ConfigError(`Invalid configuration:\n  ${name}: the Parameters and Secrets extension did not answer (${(err as Error).message})`);
      }
      // The body of a refusal names the secret and the reason, never a value.
      if (!res.ok) throw new ConfigError(`Invalid configuration:\n  ${name}: reading ${arn} failed with ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as { SecretString?: unknown };
      if (typeof body.SecretString !== 'string') throw new ConfigError(`Invalid configuration:\n  ${name}: ${arn} holds no text value (SecretString)`);
      return [name, body.SecretString] as const;
    }),
  );
  const out: Env = { ...env };
  for (const { name } of references) delete out[`${name}${SECRET_ARN_SUFFIX}`];
  for (const [name, value] of values) out[name] = value;
  return out;
}

/** The `<NAME>_SECRET_ARN` variables, checked: only secrets, and never beside a plain value. */
export function secretReferences(env: Env): { name: string; arn: string }[] {
  const refs: { name: string; arn: string }[] = [];
  for (const [key, arn] of Object.entries(env)) {
    if (!key.endsWith(SECRET_ARN_SUFFIX) || !arn) continue;
    const name = key.slice(0, -SECRET_ARN_SUFFIX.length);
    // A misspelt name would otherwise be ignored and the default (the local demo key) used.
    if (!(SECRET_CONFIG_KEYS as readonly string[]).includes(name)) {
      throw new ConfigError(`Invalid configuration:\n  ${key}: ${name} is not a secret setting (${SECRET_CONFIG_KEYS.join(', ')})`);
    }
    if (env[name] !== undefined) throw new ConfigError(`Invalid configuration:\n  ${name}: set either ${name} or ${key}, not both`);
    refs.push({ name, arn });
  }
  return refs;
}
