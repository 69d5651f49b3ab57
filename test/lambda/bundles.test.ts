import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateCrawlerCommand, GlueClient } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createBucket as createS3Bucket,
  createStringKeyTable,
  createSucceedingStateMachine,
} from '../helpers/moto-resources';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';
import { TEST_OUT_ROOT } from '../helpers/synth-pipeline';
import { atmWithdrawalLine } from '../helpers/transaction-lines';
import { REPO_ROOT } from '../../lib/shared/repo-root';

/**
 * Every Lambda bundle of the dev stage (of prod for a handler dev does not
 * deploy), exactly as `cdk synth` wrote it
 * (cdk.out.test/dev/asset.<hash>/index.js, found through each function's
 * `Code` asset), loaded in a fresh Node.js process and invoked once with a
 * sample event: what would otherwise fail only after a deploy (a module left
 * out of the bundle, an ESM/CJS mismatch, top-level code that throws on the
 * template's environment) fails here.
 *
 * The child process gets the function's environment from the template, with
 * the values CloudFormation resolves at deploy time (references to buckets,
 * tables, ...) replaced by moto resources, plus AWS_ENDPOINT_URL of a moto
 * server and static credentials. As in the Lambda runtime, the bundle itself
 * may require only Node.js built-ins and `@aws-sdk/*` (the runtime's SDK; here
 * the project's copy of it).
 */

const STAGE = 'dev';
/** Bundles of handlers STAGE does not deploy (live alerts are off in dev) come from this stage. */
const OTHER_STAGE = 'prod';
const INVOKE_TIMEOUT_MS = 60_000;

/** A function of the dev stage whose code is one of the project's bundles. */
interface BundledFunction {
  readonly stack: string;
  readonly logicalId: string;
  /** The entry the bundle was built from, relative to the repo root, e.g. `lambda/start-run/handler.ts`. */
  readonly entry: string;
  readonly bundleFile: string;
  readonly handlerExport: string;
  readonly environment: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds: number;
}

/** What the child process reports back. */
type Outcome =
  | { readonly phase: 'load'; readonly ok: false; readonly error: { name: string; message: string } }
  | { readonly phase: 'invoke'; readonly ok: true; readonly result: unknown }
  | { readonly phase: 'invoke'; readonly ok: false; readonly error: { name: string; message: string } };

/** One sample invocation of a function and what its logic says must come of it. */
interface Invocation {
  readonly title: string;
  /** The event, or how to derive it from the function (its template environment). */
  readonly event: unknown;
  readonly eventFor?: (fn: BundledFunction) => unknown;
  readonly check: (outcome: Outcome) => void;
}

/** How to run one entry's bundle: resources it needs, the values for deploy-time references, its invocations. */
interface BundleCase {
  /** Values for the environment variables the template fills in at deploy time. */
  readonly deployTimeEnvironment: Readonly<Record<string, string>>;
  readonly setup?: () => Promise<void>;
  readonly invocations: readonly Invocation[];
}

const RAW_BUCKET = 'dev-raw';
const PROCESSED_BUCKET = 'dev-processed';
const RUNS_TABLE = 'dev-runs';
const CRAWLER = 'dev-processed-crawler';
const RUN_ID = 'run-2024-05-01T11';
const RAW_PREFIX = 'transactions/year=2024/month=05/day=01/hour=11/';

let moto: MotoServer;
let stateMachineArn = '';
const LIVE_STATE_TABLE = 'prod-live-card-state';
const LIVE_ALERTS_TABLE = 'prod-live-alerts';
let fraudAlertsTopicArn = '';

/** One record of an MSK event, its value base64 as the event source delivers it. */
function kafkaRecord(offset: number, value: object | string) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    topic: 'bank-transactions',
    partition: 0,
    offset,
    timestamp: 1714557600000,
    timestampType: 'CREATE_TIME',
    value: Buffer.from(text).toString('base64'),
    headers: [],
  };
}

function atmWithdrawal(id: string, minute: number): object {
  return atmWithdrawalLine(id, `2024-05-01T10:${String(minute).padStart(2, '0')}:00Z`);
}

function returned(check: (result: unknown) => void): (outcome: Outcome) => void {
  return (outcome) => {
    expect(outcome, 'the handler should have returned').toMatchObject({ phase: 'invoke', ok: true });
    if (outcome.ok) check(outcome.result);
  };
}

function failedWith(message: RegExp, name?: string): (outcome: Outcome) => void {
  return (outcome) => {
    expect(outcome, 'the bundle should load and the handler throw').toMatchObject({
      phase: 'invoke',
      ok: false,
    });
    if (!outcome.ok) {
      expect(outcome.error.message).toMatch(message);
      if (name) expect(outcome.error.name).toBe(name);
    }
  };
}

/** Sample invocations per entry; a bundle whose entry is missing here fails the test. */
const CASES: Readonly<Record<string, BundleCase>> = {
  'lambda/live-alerts/handler.ts': {
    deployTimeEnvironment: {
      STATE_TABLE: LIVE_STATE_TABLE,
      ALERTS_TABLE: LIVE_ALERTS_TABLE,
      ARCHIVE_BUCKET: PROCESSED_BUCKET,
      get ALERTS_TOPIC_ARN() {
        return fraudAlertsTopicArn;
      },
    },
    setup: async () => {
      await createBucket(PROCESSED_BUCKET);
      await createTables({ [LIVE_STATE_TABLE]: 'cardId', [LIVE_ALERTS_TABLE]: 'alertId' });
      const sns = new SNSClient(moto.clientConfig());
      fraudAlertsTopicArn = (await sns.send(new CreateTopicCommand({ Name: 'fraud-alerts' }))).TopicArn ?? '';
      sns.destroy();
    },
    invocations: [
      {
        title: 'three withdrawals of a card within ten minutes and a bad line: no record fails',
        event: {
          eventSource: 'aws:kafka',
          records: {
            'bank-transactions-0': [
              ...[0, 4, 8].map((minute, i) => kafkaRecord(i, atmWithdrawal(`w-${i}`, minute))),
              kafkaRecord(3, '{not json'),
            ],
          },
        },
        check: returned((result) => expect(result).toEqual({ batchItemFailures: [] })),
      },
    ],
  },
  'lambda/start-run/handler.ts': {
    deployTimeEnvironment: {
      RAW_BUCKET,
      RUNS_TABLE,
      get STATE_MACHINE_ARN() {
        return stateMachineArn;
      },
    },
    setup: async () => {
      await createBucket(RAW_BUCKET);
      await createTables({ [RUNS_TABLE]: 'runId' });
      const sfn = new SFNClient(moto.clientConfig());
      stateMachineArn = await createSucceedingStateMachine(
        sfn,
        'dev-bankpipe-run',
        'arn:aws:iam::123456789012:role/run',
      );
      sfn.destroy();
    },
    invocations: [
      {
        title: 'a scheduled tick over an empty raw zone finds no data in any closed hour',
        event: { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2024-05-01T12:15:00Z' },
        check: returned((result) => {
          const report = result as { trigger: string; windows: { outcome: string }[] };
          expect(report.trigger).toBe('schedule');
          expect(report.windows.length).toBeGreaterThan(0);
          expect(new Set(report.windows.map((w) => w.outcome))).toEqual(new Set(['no-data']));
        }),
      },
      {
        title: 'an unrecognised event fails with the PermanentError message',
        event: { hello: 'world' },
        check: failedWith(/unrecognised event .*expected an EventBridge "Scheduled Event"/, 'PermanentError'),
      },
    ],
  },
  'lambda/reconcile-run/handler.ts': {
    deployTimeEnvironment: { PROCESSED_BUCKET, RAW_BUCKET },
    setup: async () => {
      await createBucket(RAW_BUCKET);
      await createBucket(PROCESSED_BUCKET);
      const s3 = new S3Client(moto.s3ClientConfig());
      await s3.send(
        new PutObjectCommand({
          Bucket: PROCESSED_BUCKET,
          Key: `_manifest/${RUN_ID}.json`,
          Body: Buffer.from(
            JSON.stringify({ run_id: RUN_ID, counts: { read: 3, valid: 1, quarantined: 1, duplicates: 1 } }),
          ),
        }),
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: RAW_BUCKET,
          Key: `${RAW_PREFIX}part-0.jsonl`,
          Body: Buffer.from('{"a":1}\n{"a":2}\n{"a":2}\n'),
        }),
      );
      s3.destroy();
    },
    invocations: [
      {
        title: "reads the run's manifest and the hour's raw lines and returns the counts",
        event: { runId: RUN_ID, rawPrefix: RAW_PREFIX },
        check: returned((result) =>
          expect(result).toEqual({
            runId: RUN_ID,
            rawLines: 3,
            read: 3,
            valid: 1,
            quarantined: 1,
            duplicates: 1,
            // Without the execution's start time no object counts as written after it.
            lateLines: 0,
          }),
        ),
      },
      {
        title: 'a run without a manifest fails with the PermanentError message',
        event: { runId: 'run-2024-05-01T10', rawPrefix: 'transactions/year=2024/month=05/day=01/hour=10/' },
        check: failedWith(/no manifest at s3:\/\/dev-processed\/_manifest\/run-2024-05-01T10\.json/),
      },
    ],
  },
  'lambda/crawler-status/handler.ts': {
    deployTimeEnvironment: { CRAWLER_NAME: CRAWLER },
    setup: async () => {
      const glue = new GlueClient(moto.clientConfig());
      await glue.send(
        new CreateCrawlerCommand({
          Name: CRAWLER,
          Role: 'arn:aws:iam::123456789012:role/crawler',
          DatabaseName: 'dev_bank',
          Targets: { S3Targets: [{ Path: `s3://${PROCESSED_BUCKET}/` }] },
        }),
      );
      glue.destroy();
    },
    invocations: [
      {
        title: 'an idle crawler that has not crawled for this run is not done yet',
        event: { startedAfter: '2024-05-01T12:20:00Z', polls: 0 },
        check: returned((result) => expect(result).toMatchObject({ done: false, polls: 1, state: 'READY' })),
      },
      {
        title: 'input without startedAfter fails with the PermanentError message',
        event: { polls: 1 },
        check: failedWith(/crawler-status needs \{"startedAfter"/, 'PermanentError'),
      },
    ],
  },
  'lambda/refresh-reports/handler.ts': {
    // The Data API is not reached by these events (moto's answers cannot be read by SDK v3,
    // see refresh-reports.moto.test.ts); loading the bundle builds its client all the same.
    deployTimeEnvironment: {
      WAREHOUSE_WORKGROUP: 'dev-bank',
      WAREHOUSE_CLUSTER: 'dev-bank',
      WAREHOUSE_DB_USER: 'bank_reports_job',
    },
    invocations: [
      {
        title: 'a run whose views are all refreshed is done without another statement',
        event: undefined,
        eventFor: (fn) => ({
          runId: RUN_ID,
          viewIndex: String(fn.environment.REPORT_VIEWS).split(',').length,
          invocations: 0,
        }),
        check: returned((result) =>
          expect(result).toMatchObject({ runId: RUN_ID, done: true, statementId: null }),
        ),
      },
      {
        title: 'input without a run id fails with the PermanentError message',
        event: { viewIndex: 0 },
        check: failedWith(/refresh-reports needs \{"runId"/, 'PermanentError'),
      },
    ],
  },
  'lambda/warehouse-schema/handler.ts': {
    deployTimeEnvironment: {},
    invocations: [
      {
        title: 'a Delete leaves the schema and returns the physical id',
        event: deleteEvent('bank@dev-bank', { Target: {} }),
        check: returned((result) => expect(result).toEqual({ PhysicalResourceId: 'bank@dev-bank' })),
      },
      {
        title: 'a Create without a target fails naming the property',
        event: { ...deleteEvent('x', {}), RequestType: 'Create' },
        check: failedWith(/Target must be an object/),
      },
    ],
  },
  'lambda/kafka-topic/index.ts': {
    deployTimeEnvironment: {},
    invocations: [
      {
        title: 'a Delete leaves the topic in place without reaching a broker',
        event: deleteEvent('bank-transactions', { TopicName: 'bank-transactions' }),
        check: returned((result) => expect(result).toEqual({ PhysicalResourceId: 'bank-transactions' })),
      },
      {
        title: 'a Create with a cluster that is not an MSK ARN fails before any call',
        event: {
          ...deleteEvent('x', {
            ClusterArn: 'not-an-arn',
            TopicName: 'bank-transactions',
            Partitions: '6',
            ReplicationFactor: '3',
            Configs: {},
          }),
          RequestType: 'Create',
        },
        check: failedWith(/ClusterArn "not-an-arn" is not an MSK cluster ARN/),
      },
    ],
  },
};

function deleteEvent(
  physicalResourceId: string,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  return {
    RequestType: 'Delete',
    ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response.invalid/',
    StackId: 'arn:aws:cloudformation:eu-central-1:111111111111:stack/dev/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Resource',
    ResourceType: 'Custom::Test',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
      ...properties,
    },
  };
}

/** DynamoDB tables by name, each keyed by the string partition key given. */
async function createTables(partitionKeys: Record<string, string>): Promise<void> {
  const dynamodb = new DynamoDBClient(moto.clientConfig());
  for (const [table, key] of Object.entries(partitionKeys)) await createStringKeyTable(dynamodb, table, key);
  dynamodb.destroy();
}

async function createBucket(bucket: string): Promise<void> {
  const s3 = new S3Client(moto.s3ClientConfig());
  await createS3Bucket(s3, moto.region, bucket);
  s3.destroy();
}

/**
 * The project's functions in the dev stage's templates, with the entry each bundle
 * was built from. A function's `Code.S3Key` is `<asset hash>.zip`; the stack's asset
 * manifest names the folder that is zipped into it.
 */
function bundledFunctions(stage: string): BundledFunction[] {
  const OUTDIR = path.join(TEST_OUT_ROOT, stage);
  if (!fs.existsSync(OUTDIR)) {
    throw new Error(
      `${OUTDIR} does not exist: run this test through vitest without SKIP_CDK_SYNTH (global setup synthesizes it)`,
    );
  }
  const found: BundledFunction[] = [];
  for (const file of fs.readdirSync(OUTDIR).filter((f) => f.endsWith('.template.json'))) {
    const stack = file.replace(/\.template\.json$/, '');
    const template = readJson<{
      Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    }>(path.join(OUTDIR, file));
    const assetsFile = path.join(OUTDIR, `${stack}.assets.json`);
    const assets = fs.existsSync(assetsFile)
      ? readJson<{ files?: Record<string, { source: { path: string; packaging?: string } }> }>(assetsFile)
          .files
      : undefined;
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const s3Key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
      if (typeof s3Key !== 'string' || !s3Key.endsWith('.zip')) continue;
      const source = assets?.[s3Key.replace(/\.zip$/, '')]?.source;
      if (source?.packaging !== 'zip') continue;
      const assetDir = path.join(OUTDIR, source.path);
      const entry = bundleEntry(assetDir);
      if (entry === undefined) continue; // CDK's own functions (provider framework, log retention, ...)
      const [moduleName, handlerExport] = String(resource.Properties?.Handler).split('.');
      const variables = (
        resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      found.push({
        stack,
        logicalId,
        entry,
        bundleFile: path.join(assetDir, `${moduleName}.js`),
        handlerExport,
        environment: variables ?? {},
        timeoutSeconds: Number(resource.Properties?.Timeout ?? 3),
      });
    }
  }
  return found;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** The handler module a bundle was built from, read from its source map; undefined for bundles not built from lambda/. */
function bundleEntry(assetDir: string): string | undefined {
  const mapFile = path.join(assetDir, 'index.js.map');
  if (!fs.existsSync(mapFile)) return undefined;
  const { sources } = readJson<{ sources: string[] }>(mapFile);
  const projectSources = sources
    .map((source) => path.relative(REPO_ROOT, path.resolve(assetDir, source)).split(path.sep).join('/'))
    .filter((source) => /^lambda\/[^/]+\/(handler|index)\.ts$/.test(source));
  if (projectSources.length > 1) {
    throw new Error(
      `${assetDir} bundles several handler modules (${projectSources.join(', ')}); expected one`,
    );
  }
  return projectSources[0];
}

/**
 * Loads the bundle with `require` in a fresh process and calls its handler once.
 * A resolve hook refuses, for the bundle itself, any package the Lambda runtime
 * does not provide (anything but Node.js built-ins and @aws-sdk/*).
 */
const RUNNER = String.raw`
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const [bundleFile, handlerExport, eventJson, timeoutMs, resultFile] = process.argv.slice(1);
const write = (outcome) => fs.writeFileSync(resultFile, JSON.stringify(outcome));
const describe = (e) => ({ name: String(e && e.name), message: String(e && e.message) });
const builtins = new Set(Module.builtinModules);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const bare = !request.startsWith('.') && !path.isAbsolute(request);
  if (parent && parent.filename === bundleFile && bare) {
    const name = request.startsWith('node:') ? request.slice(5) : request;
    if (!builtins.has(name) && !request.startsWith('@aws-sdk/')) {
      const error = new Error("Cannot find module '" + request + "': the Lambda runtime provides only Node.js built-ins and @aws-sdk/*, so it must be bundled");
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
let handler;
try {
  handler = require(bundleFile)[handlerExport];
  if (typeof handler !== 'function') throw new TypeError('the bundle exports no function ' + handlerExport);
} catch (error) {
  write({ phase: 'load', ok: false, error: describe(error) });
  process.exit(0);
}
const deadline = Date.now() + Number(timeoutMs);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: '00000000-0000-4000-8000-000000000001',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
Promise.resolve()
  .then(() => handler(JSON.parse(eventJson), context))
  .then(
    (result) => write({ phase: 'invoke', ok: true, result }),
    (error) => write({ phase: 'invoke', ok: false, error: describe(error) }),
  )
  .finally(() => process.exit(0));
`;

/**
 * The variables the Lambda runtime sets for a function with active tracing, so the bundle
 * takes the code paths it takes on AWS: Powertools sees Lambda and turns the tracer on,
 * which patches the SDK clients with X-Ray (aws-xray-sdk-core, with the bundled `semver`
 * stand-in). Segments go over UDP to a loopback port nobody listens on.
 */
function lambdaRuntimeEnvironment(fn: BundledFunction): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `${fn.stack}-${fn.logicalId}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    LAMBDA_TASK_ROOT: path.dirname(fn.bundleFile),
    _HANDLER: `${path.basename(fn.bundleFile, '.js')}.${fn.handlerExport}`,
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    TZ: ':UTC',
  };
}

async function invoke(fn: BundledFunction, event: unknown): Promise<{ outcome: Outcome; logs: string }> {
  const deployTime = CASES[fn.entry]?.deployTimeEnvironment ?? {};
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    const resolved = typeof value === 'string' ? value : deployTime[name];
    if (resolved === undefined) {
      throw new Error(
        `${fn.stack}/${fn.logicalId}: ${name} is set at deploy time (${JSON.stringify(value)}); give it a value in CASES['${fn.entry}'].deployTimeEnvironment`,
      );
    }
    environment[name] = resolved;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-invoke-'));
  const resultFile = path.join(workDir, 'outcome.json');
  const { AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } =
    moto.env();
  const child = spawn(
    process.execPath,
    [
      '-e',
      RUNNER,
      fn.bundleFile,
      fn.handlerExport,
      JSON.stringify(event),
      String(fn.timeoutSeconds * 1000),
      resultFile,
    ],
    {
      cwd: workDir,
      // Only what the Lambda runtime sets, the template's variables and the moto endpoint: nothing of this shell.
      env: {
        ...environment,
        ...lambdaRuntimeEnvironment(fn),
        AWS_ENDPOINT_URL,
        AWS_REGION,
        AWS_DEFAULT_REGION,
        AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let logs = '';
  child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), INVOKE_TIMEOUT_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  try {
    if (!fs.existsSync(resultFile)) {
      throw new Error(
        `${fn.entry}: the process exited (${exitCode}) without reporting an outcome:\n${logs.slice(-3_000)}`,
      );
    }
    return { outcome: JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Outcome, logs };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const stageFunctions = bundledFunctions(STAGE);
const stageEntries = new Set(stageFunctions.map((fn) => fn.entry));
const functions = [
  ...stageFunctions,
  ...bundledFunctions(OTHER_STAGE).filter((fn) => !stageEntries.has(fn.entry)),
];

beforeAll(async () => {
  moto = await startMotoServer();
});

afterAll(async () => {
  await moto?.stop();
});

describe(`Lambda bundles of the ${STAGE} stage (${OTHER_STAGE}'s for handlers ${STAGE} leaves out)`, () => {
  it('include a bundle of every handler under lambda/, and a sample invocation for each', () => {
    const entries = fs
      .readdirSync(path.join(REPO_ROOT, 'lambda'), { withFileTypes: true })
      .filter((dirent) => dirent.isDirectory() && dirent.name !== 'shared')
      .map((dirent) => dirent.name)
      .map((name) =>
        ['handler.ts', 'index.ts']
          .map((file) => `lambda/${name}/${file}`)
          .find((entry) => fs.existsSync(path.join(REPO_ROOT, entry))),
      )
      .filter((entry): entry is string => entry !== undefined);
    expect(new Set(functions.map((fn) => fn.entry))).toEqual(new Set(entries));
    expect(new Set(Object.keys(CASES))).toEqual(new Set(entries));
  });

  for (const fn of functions) {
    describe(`${fn.entry} (${fn.stack} ${fn.logicalId})`, () => {
      const bundleCase = CASES[fn.entry];
      beforeEach(async () => {
        await moto.reset();
        await bundleCase?.setup?.();
      });

      for (const invocation of bundleCase?.invocations ?? []) {
        it(invocation.title, async () => {
          const event = invocation.eventFor ? invocation.eventFor(fn) : invocation.event;
          const { outcome, logs } = await invoke(fn, event);
          expect(
            outcome.phase,
            `the bundle failed to load:\n${JSON.stringify(outcome)}\n${logs.slice(-3_000)}`,
          ).toBe('invoke');
          invocation.check(outcome);
        });
      }
    });
  }
});
