import { App } from 'aws-cdk-lib';
import { buildApiBundle } from './api-bundle.js';
import { DEFAULT_REGION } from './region.js';
import { settingsFromEnv } from './settings.js';
import { GroeipadStack } from './stack.js';

/**
 * The CDK app: `npx cdk deploy --app "npx tsx infra/deploy/app.ts"` (README, "Deployment as
 * code"). The plain settings are the configuration variables of the deploying shell (secrets and
 * local-only ones are never taken from it); the region is GROEIPAD_AWS_REGION (EU only), the
 * account the CLI's. The API is bundled first, the worker's image is built by the CLI (Docker).
 */
export async function groeipadApp(env: Record<string, string | undefined>, o: { outdir?: string; apiCodeDir?: string } = {}): Promise<{ app: App; stack: GroeipadStack }> {
  const app = new App(o.outdir ? { outdir: o.outdir } : {});
  const stack = new GroeipadStack(app, env.GROEIPAD_STACK_NAME ?? 'groeipad-production', {
    env: { region: env.GROEIPAD_AWS_REGION ?? DEFAULT_REGION, account: env.CDK_DEFAULT_ACCOUNT },
    apiCodeDir: o.apiCodeDir ?? (await buildApiBundle()),
    settings: settingsFromEnv(env),
    ...(env.GROEIPAD_SECRET_PREFIX ? { secretPrefix: env.GROEIPAD_SECRET_PREFIX } : {}),
  });
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { app } = await groeipadApp(process.env);
  app.synth();
}
