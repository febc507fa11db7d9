import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SECRET_CONFIG_KEYS, type SecretConfigKey } from '../config.js';
import { SECRET_ARN_SUFFIX } from '../aws-secrets.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../worker/launch.js';
import { assertEuRegion } from './region.js';
import { checkSettings, type Settings } from './settings.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The numbers of the deployment, each with its reason, exported so the test asserts them.
 *
 * The API function: Node.js 22, not 20. Lambda deprecated nodejs20.x on 30 April 2026 (Node 20's
 * end of life) and no longer lets a function be created on it; the bundle targets node20 syntax,
 * which Node 22 runs. arm64 (Graviton): about 20 % cheaper per GB-second than x86, and the API's
 * bundle is plain JavaScript (the Temporal client speaks gRPC in JavaScript; no native module).
 * 1024 MB: Lambda's CPU grows with memory, and a cold start (parsing a 6 MB bundle, TLS to
 * Temporal Cloud) and a growth passport PDF are CPU-bound. Timeouts: a coach's action is a
 * Temporal update that waits for a worker to run it, which can take seconds (a replay, a retried
 * workflow task after 10 s); API Gateway's HTTP API ends an integration at 30 s at the latest, so
 * the gateway waits 29 s and the function stops at 28 s, before the gateway gives up on it, so its
 * own log says what timed out.
 */
export const API_FUNCTION = {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  memoryMb: 1024,
  timeout: Duration.seconds(28),
  integrationTimeout: Duration.seconds(29),
};

/**
 * The worker service: the container the memory bench measured (README, Performance: no run over
 * 400 MB, so 512 MB; Fargate gives 512 MB with 0.25 vCPU). x86_64, the architecture the bench
 * ran on. Two tasks, so a deploy or a crash never leaves the task queues unpolled. On SIGTERM
 * the worker stops polling and finishes what it runs (its activities write idempotently, so a
 * kill after the stop timeout costs a retry, not a duplicate: tests/chaos); 120 s is Fargate's
 * longest stop timeout, time for an email batch held back by Resend's rate limit.
 */
export const WORKER_SERVICE = {
  cpu: 256,
  memoryMiB: 512,
  desiredCount: 2,
  stopTimeout: Duration.seconds(120),
  bundlePath: 'dist/workflow-bundle.js',
  script: 'dist/worker.js',
};

/** Logs hold request paths and errors, sometimes an id of a person: kept one month, not forever. */
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

export interface GroeipadStackProps extends StackProps {
  /** An EU region (./region.ts); the account may stay open (the CDK CLI fills it in). */
  env: { region: string; account?: string };
  /** The built API bundle (./api-bundle.ts): a directory with index.mjs. */
  apiCodeDir: string;
  /** Plain settings for both processes (./settings.ts); PUBLIC_URL defaults to the HTTP API's URL. */
  settings: Settings;
  /** Secrets Manager names are `<prefix><VARIABLE>`, e.g. groeipad/production/LINK_SECRET; created before the first deploy (docs/runbook.md). */
  secretPrefix?: string;
  /**
   * The worker's image; by default built from infra/deploy/worker.Dockerfile when deploying (the
   * CDK CLI needs Docker then; synthesizing only stages the build context).
   */
  workerImage?: ecs.ContainerImage;
}

/**
 * Production on AWS: the API as a Lambda function behind an HTTP API, the worker as an ECS
 * Fargate service. Supabase, Temporal Cloud and Resend are hosted elsewhere and reached over the
 * internet; their keys live in Secrets Manager and are never part of this template.
 */
export class GroeipadStack extends Stack {
  readonly api: HttpApi;
  readonly apiFunction: lambda.Function;
  readonly workerService: ecs.FargateService;

  constructor(scope: Construct, id: string, props: GroeipadStackProps) {
    assertEuRegion(props.env.region);
    checkSettings(props.settings);
    super(scope, id, props);

    const prefix = props.secretPrefix ?? 'groeipad/production/';
    const secrets = Object.fromEntries(
      SECRET_CONFIG_KEYS.map((key) => [key, secretsmanager.Secret.fromSecretNameV2(this, `Secret${key}`, `${prefix}${key}`)]),
    ) as Record<SecretConfigKey, secretsmanager.ISecret>;

    // The API.
    this.apiFunction = new lambda.Function(this, 'ApiFunction', {
      description: 'groeipad API (api/lambda.ts)',
      runtime: API_FUNCTION.runtime,
      architecture: API_FUNCTION.architecture,
      memorySize: API_FUNCTION.memoryMb,
      timeout: API_FUNCTION.timeout,
      code: lambda.Code.fromAsset(props.apiCodeDir),
      handler: 'index.handler',
      // Serves Secrets Manager on localhost to infra/aws-secrets.ts, with this function's role.
      paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103),
      logGroup: new logs.LogGroup(this, 'ApiLogs', { retention: LOG_RETENTION }),
      environment: {
        GROEIPAD_ENV: 'production',
        ...props.settings,
        // Where each secret is, not what it is: the function reads them at its first request.
        ...Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [`${key}${SECRET_ARN_SUFFIX}`, secrets[key].secretArn])),
      },
    });
    for (const secret of Object.values(secrets)) secret.grantRead(this.apiFunction);

    this.api = new HttpApi(this, 'Api', {
      description: 'groeipad API and web pages',
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction, { timeout: API_FUNCTION.integrationTimeout }),
    });
    const publicUrl = props.settings.PUBLIC_URL ?? this.api.apiEndpoint;
    if (!props.settings.PUBLIC_URL) this.apiFunction.addEnvironment('PUBLIC_URL', publicUrl);

    // The worker. It only calls out (Temporal Cloud, Supabase, Resend, Secrets Manager): public
    // subnets with a public IP and no inbound rule, and no NAT gateway to pay for.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const task = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: WORKER_SERVICE.cpu,
      memoryLimitMiB: WORKER_SERVICE.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    task.addContainer('worker', {
      image: props.workerImage ?? ecs.ContainerImage.fromAsset(ROOT, { file: 'infra/deploy/worker.Dockerfile' }),
      // The start command of worker/launch.ts, which the memory bench measured; imported, so it cannot drift.
      entryPoint: ['node'],
      command: [...WORKER_NODE_FLAGS, WORKER_SERVICE.script],
      environment: {
        ...WORKER_ENV,
        WORKFLOW_BUNDLE_PATH: WORKER_SERVICE.bundlePath,
        GROEIPAD_ENV: 'production',
        ...props.settings,
        PUBLIC_URL: publicUrl,
      },
      // ECS reads them with the task's execution role and hands them to the process as variables.
      secrets: Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [key, ecs.Secret.fromSecretsManager(secrets[key])])),
      stopTimeout: WORKER_SERVICE.stopTimeout,
      // An init process as PID 1 passes SIGTERM on to node and reaps what the native threads leave.
      linuxParameters: new ecs.LinuxParameters(this, 'WorkerLinux', { initProcessEnabled: true }),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup: new logs.LogGroup(this, 'WorkerLogs', { retention: LOG_RETENTION }) }),
    });
    this.workerService = new ecs.FargateService(this, 'Worker', {
      cluster,
      taskDefinition: task,
      desiredCount: WORKER_SERVICE.desiredCount,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      // A new build replaces all workers, never runs beside the old one (docs/runbook.md, "Shipping
      // a workflow change": an old worker cannot replay a history a new patch wrote). Tasks wait
      // on the queue meanwhile; nothing is lost.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
