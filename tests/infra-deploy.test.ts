import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, SECRET_CONFIG_KEYS } from '../infra/config.js';
import { buildApiBundle } from '../infra/deploy/api-bundle.js';
import { groeipadApp } from '../infra/deploy/app.js';
import { assertEuRegion, EU_REGIONS } from '../infra/deploy/region.js';
import { checkSettings, settingsFromEnv } from '../infra/deploy/settings.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../worker/launch.js';

/**
 * The production deployment (infra/deploy) synthesized in-process, without the CDK CLI, an AWS
 * account, the network or Docker, and checked: EU region, the API function and its HTTP API,
 * secrets only as references, the worker service as the memory bench ran it. The API bundle is
 * really built and loaded; the worker's image is not (no Docker engine here).
 */

const run = promisify(execFile);

/** What the deploying shell holds: the plain settings, and secrets that must not travel. */
const SENTINEL = (key: string) => `sentinel-${key.toLowerCase()}-must-never-reach-the-template`;
const SHELL = {
  SUPABASE_URL: 'https://abcdefghijklmnop.supabase.co',
  TEMPORAL_ADDRESS: 'groeipad.a1b2c.tmprl.cloud:7233',
  TEMPORAL_NAMESPACE: 'groeipad.a1b2c',
  PASSPORT_KEY_ID: 'stuyfplek-2026-1',
  EMAIL_FROM: 'Stuyfplek <groeipad@stuyfplek.be>',
  // Left behind: local-only.
  GROEIPAD_DATA_DIR: '/home/dev/.data',
  ...Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [key, SENTINEL(key)])),
};

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json };

let workdir: string;
let apiCodeDir: string;
let template: Template;
let json: { Resources: Record<string, Resource>; Outputs?: Json };
let region: string;

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), 'groeipad-deploy-'));
  apiCodeDir = await buildApiBundle(join(workdir, 'api'));
  const { stack } = await groeipadApp(SHELL, { apiCodeDir, outdir: join(workdir, 'cdk.out') });
  region = stack.region;
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
}, 180_000);

afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

const resources = (type: string) => Object.values(json.Resources).filter((r) => r.Type === type);
const one = (type: string) => {
  const found = resources(type);
  expect(found, type).toHaveLength(1);
  return found[0]!.Properties;
};
const lambdaEnv = () => (one('AWS::Lambda::Function').Environment as { Variables: Record<string, unknown> }).Variables;
const container = () => (one('AWS::ECS::TaskDefinition').ContainerDefinitions as Json[])[0]!;
const containerEnv = () => Object.fromEntries((container().Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));

describe('region', () => {
  it('is in the EU', () => {
    expect(region).toBe('eu-west-1');
    expect(EU_REGIONS).toContain(region);
    expect((container().LogConfiguration as { Options: Json }).Options['awslogs-region']).toBe('eu-west-1');
  });

  it('refuses a region outside the EU, also one with the "eu-" prefix', async () => {
    for (const outside of ['us-east-1', 'eu-west-2', 'eu-central-2', undefined]) {
      expect(() => assertEuRegion(outside)).toThrow(/only to an AWS region in the EU/);
    }
    await expect(groeipadApp({ ...SHELL, GROEIPAD_AWS_REGION: 'us-east-1' }, { apiCodeDir })).rejects.toThrow(/only to an AWS region in the EU.*got us-east-1/);
    expect(() => assertEuRegion('eu-central-1')).not.toThrow();
  });
});

describe('the API', () => {
  it('is a Node.js function on arm64 with deliberate memory and timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 28,
      Handler: 'index.handler',
    });
    // The Parameters and Secrets extension serves Secrets Manager to infra/aws-secrets.ts.
    const layers = one('AWS::Lambda::Function').Layers as string[];
    expect(layers).toEqual([expect.stringMatching(/^arn:aws:lambda:eu-west-1:\d+:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/)]);
  });

  it('sits behind an HTTP API that waits less than the gateway limit of 30 s, longer than the function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', TimeoutInMillis: 29_000 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    expect(json.Outputs).toHaveProperty('ApiUrl');
    // Without a PUBLIC_URL, links in emails and pages point at the HTTP API's own address.
    expect(lambdaEnv().PUBLIC_URL).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Api/), 'ApiEndpoint'] });
  });

  it('gets the plain settings, production, and nothing local', () => {
    const env = lambdaEnv();
    expect(env).toMatchObject({ GROEIPAD_ENV: 'production', SUPABASE_URL: SHELL.SUPABASE_URL, TEMPORAL_ADDRESS: SHELL.TEMPORAL_ADDRESS, PASSPORT_KEY_ID: SHELL.PASSPORT_KEY_ID });
    expect(env).not.toHaveProperty('GROEIPAD_DATA_DIR');
  });
});

describe('secrets', () => {
  it('never appear as a value anywhere in the template: neither the shell\'s nor the local demo keys', () => {
    const text = JSON.stringify(json);
    const demo = configSchema.parse({});
    for (const key of SECRET_CONFIG_KEYS) {
      expect(text, key).not.toContain(SENTINEL(key));
      const local = demo[key];
      if (typeof local === 'string') expect(text, key).not.toContain(local);
    }
    // The PEM of the local passport key, also with its newlines escaped as in JSON.
    expect(text).not.toContain('BEGIN PRIVATE KEY');
  });

  it('reach the API function only as references to Secrets Manager, readable by its role', () => {
    const env = lambdaEnv();
    for (const key of SECRET_CONFIG_KEYS) {
      expect(env, key).not.toHaveProperty(key);
      expect(JSON.stringify(env[`${key}_SECRET_ARN`]), key).toMatch(new RegExp(`:secretsmanager:eu-west-1:.*:secret:groeipad/production/${key}"`));
    }
    const granted = JSON.stringify(resources('AWS::IAM::Policy').filter((p) => JSON.stringify(p).includes('ApiFunctionServiceRole')));
    for (const key of SECRET_CONFIG_KEYS) expect(granted, key).toContain(`:secret:groeipad/production/${key}-??????`);
  });

  it('reach the worker as ECS secrets (ValueFrom an ARN), never as plain environment', () => {
    const env = containerEnv();
    const secrets = Object.fromEntries((container().Secrets as { Name: string; ValueFrom: unknown }[]).map((s) => [s.Name, s.ValueFrom]));
    expect(Object.keys(secrets).sort()).toEqual([...SECRET_CONFIG_KEYS].sort());
    for (const key of SECRET_CONFIG_KEYS) {
      expect(env, key).not.toHaveProperty(key);
      expect(typeof secrets[key], key).toBe('object');
      expect(JSON.stringify(secrets[key]), key).toMatch(new RegExp(`^\\{"Fn::Join".*:secretsmanager:eu-west-1:.*:secret:groeipad/production/${key}"`));
    }
  });

  it('are refused as plain settings, and left behind when the deploying shell has them', () => {
    expect(settingsFromEnv(SHELL)).not.toHaveProperty('LINK_SECRET');
    const plain = settingsFromEnv(SHELL);
    expect(() => checkSettings({ ...plain, LINK_SECRET: 'x'.repeat(40) })).toThrow(/LINK_SECRET: a secret/);
    expect(() => checkSettings({ ...plain, GROEIPAD_ENV: 'development' })).toThrow(/GROEIPAD_ENV: set by the stack/);
    expect(() => checkSettings({ ...plain, SUPABASE_URL: 'not a url' })).toThrow(/SUPABASE_URL/);
    const { TEMPORAL_ADDRESS: _address, ...missing } = plain;
    expect(() => checkSettings(missing)).toThrow(/TEMPORAL_ADDRESS: required/);
  });
});

describe('the worker', () => {
  it('starts with the command and environment the memory bench measured', () => {
    expect(container().EntryPoint).toEqual(['node']);
    expect(container().Command).toEqual([...WORKER_NODE_FLAGS, 'dist/worker.js']);
    expect(containerEnv()).toMatchObject({ ...WORKER_ENV, WORKFLOW_BUNDLE_PATH: 'dist/workflow-bundle.js', GROEIPAD_ENV: 'production', SUPABASE_URL: SHELL.SUPABASE_URL });
    expect(containerEnv()).not.toHaveProperty('GROEIPAD_DATA_DIR');
  });

  it('runs in 512 MB, two at least, with a stop timeout, logs, and no load balancer', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Memory: '512', Cpu: '256', RequiresCompatibilities: ['FARGATE'] });
    expect(container()).toMatchObject({ StopTimeout: 120, LinuxParameters: { InitProcessEnabled: true }, LogConfiguration: { LogDriver: 'awslogs' } });
    const service = one('AWS::ECS::Service');
    expect(service.DesiredCount).toBeGreaterThanOrEqual(2);
    expect(service.LoadBalancers).toBeUndefined();
    // A new build replaces the workers instead of running beside them (docs/runbook.md).
    expect(service.DeploymentConfiguration).toMatchObject({ MinimumHealthyPercent: 0, MaximumPercent: 100 });
    expect(resources('AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(0);
    // Only calls out: no inbound rule.
    expect(one('AWS::EC2::SecurityGroup').SecurityGroupIngress).toBeUndefined();
    for (const group of resources('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('has a Dockerfile (never built here) that starts the process the same way', async () => {
    const dockerfile = await readFile(new URL('../infra/deploy/worker.Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/UNTESTED/);
    const last = (instruction: string) => dockerfile.split('\n').filter((l) => l.startsWith(`${instruction} `)).at(-1)!.slice(instruction.length + 1);
    expect(JSON.parse(last('ENTRYPOINT'))).toEqual(['node']);
    expect(JSON.parse(last('CMD'))).toEqual([...WORKER_NODE_FLAGS, 'dist/worker.js']);
    const envLine = Object.fromEntries(last('ENV').split(/\s+/).map((pair) => pair.split('=') as [string, string]));
    expect(envLine).toEqual({ ...WORKER_ENV, WORKFLOW_BUNDLE_PATH: 'dist/workflow-bundle.js' });
  });
});

describe('the API bundle', () => {
  it('loads in plain Node (no tsx, no node_modules of the project) and exports the handler', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(apiCodeDir, 'index.mjs'))}); process.stdout.write(typeof m.handler);`], { cwd: apiCodeDir });
    expect(stdout).toBe('function');
  });

  it('makes a passport PDF with the packages it ships beside the bundle (pdfkit, the DejaVu fonts)', async () => {
    const dir = await buildApiBundle(join(workdir, 'pdf'), new URL('../api/passport-pdf.ts', import.meta.url).pathname);
    const script = `const { passportPdf } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
      const pdf = await passportPdf({ steps: [{ id: 's1', text: 'Ik kook één keer per week voor de groep — „samen”', validatedAt: '2026-04-01T10:00:00Z', evidence: 'observed' }], name: 'Lien Wouters – “één”', issuerName: 'Stuyfplek', issuedAt: new Date('2026-05-04T10:00:00Z') });
      process.stdout.write(pdf.subarray(0, 5).toString('latin1') + ' ' + pdf.length);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    const [magic, size] = stdout.split(' ');
    expect(magic).toBe('%PDF-');
    // The DejaVu subsets are embedded: far more than a PDF with only the standard fonts.
    expect(Number(size)).toBeGreaterThan(10_000);
  }, 120_000);
});
