import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { errorName } from '../shared/errors';
import { SINK_WATERMARK_PREFIX, type SinkWatermarkObject } from './sink-watermarks';
import type { RunInput } from '../shared/run-input';
import {
  type ClaimResult,
  type ExecutionState,
  type HourRun,
  type LeaseRequest,
  type LeaseResult,
  type RawSnapshot,
  type RunClaim,
  type RunStarter,
  type RunStatus,
  START_RUN_LEASE_KEY,
  type StartResult,
} from './start-run';

export interface AwsRunStarterSettings {
  readonly rawBucket: string;
  readonly runsTable: string;
  readonly stateMachineArn: string;
}

export interface AwsRunStarterClients {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
}

const RUN_STATUSES: readonly RunStatus[] = ['CLAIMED', 'STARTED', 'SUCCEEDED', 'FAILED'];
const ENDED = { ':succeeded': { S: 'SUCCEEDED' }, ':failed': { S: 'FAILED' } };

/**
 * RunStarter on AWS: the raw bucket (S3), the runs ledger (DynamoDB, key `runId`: one item per
 * hour holding its latest attempt) and the state machine (Step Functions). SDK errors other than
 * the expected outcomes (claim exists, execution exists, execution unknown) are thrown as they
 * are, for `withRetry` to classify.
 */
export function createAwsRunStarter(
  clients: AwsRunStarterClients,
  settings: AwsRunStarterSettings,
): RunStarter {
  // arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution name>
  const executionArnOf = (executionName: string): string =>
    `${settings.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;

  const leaseKey = { runId: { S: START_RUN_LEASE_KEY } };
  return {
    async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
      try {
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: settings.runsTable,
            Item: {
              ...leaseKey,
              holder: { S: request.holder },
              acquiredAt: { N: String(request.now) },
              // The TTL attribute of the table: DynamoDB deletes a lapsed lease in its own time (days);
              // until then the condition below, not TTL, decides whether it has lapsed.
              expiresAt: { N: String(request.expiresAt) },
            },
            ConditionExpression: 'attribute_not_exists(runId) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': { N: String(request.now) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { outcome: 'acquired' };
      } catch (error) {
        if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
        const held = (error as ConditionalCheckFailedException).Item;
        // A retried PutItem whose first try succeeded but lost its answer finds its own lease.
        if (held?.holder?.S === request.holder) return { outcome: 'acquired' };
        return {
          outcome: 'held',
          holder: held?.holder?.S ?? 'unknown',
          expiresAt: Number(held?.expiresAt?.N ?? request.expiresAt),
        };
      }
    },

    async releaseLease(holder: string): Promise<void> {
      try {
        await clients.dynamodb.send(
          new DeleteItemCommand({
            TableName: settings.runsTable,
            Key: leaseKey,
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': { S: holder } },
          }),
        );
      } catch (error) {
        // Lapsed and taken over (or already gone): the lease is no longer ours to give up.
        if (errorName(error) === 'ConditionalCheckFailedException') return;
        throw error;
      }
    },

    async runInProgress(): Promise<string | undefined> {
      const page = await clients.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: settings.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: 1,
        }),
      );
      return page.executions?.[0]?.executionArn;
    },

    async hasRawData(rawPrefix: string): Promise<boolean> {
      // Page by page until the first data object: a page may hold only folder markers and empty files.
      for await (const page of listPages(clients.s3, settings.rawBucket, rawPrefix)) {
        if (page.some(isData)) return true;
      }
      return false;
    },

    async rawSnapshot(rawPrefix: string): Promise<RawSnapshot> {
      const objects: _Object[] = [];
      for await (const page of listPages(clients.s3, settings.rawBucket, rawPrefix)) {
        objects.push(...page.filter(isData));
      }
      return snapshotOf(objects);
    },

    async sinkWatermarks(): Promise<SinkWatermarkObject[]> {
      const keys: string[] = [];
      for await (const page of listPages(clients.s3, settings.rawBucket, SINK_WATERMARK_PREFIX)) {
        keys.push(...page.filter(isData).map((object) => object.Key ?? ''));
      }
      // One small object per topic partition: a handful, read at once.
      const objects = await Promise.all(
        keys.map(async (key): Promise<SinkWatermarkObject | undefined> => {
          try {
            const object = await clients.s3.send(
              new GetObjectCommand({ Bucket: settings.rawBucket, Key: key }),
            );
            return { key, body: (await object.Body?.transformToString('utf-8')) ?? '' };
          } catch (error) {
            // Listed, then deleted (a topic's watermarks cleaned up): nothing to read.
            if (errorName(error) === 'NoSuchKey') return undefined;
            throw error;
          }
        }),
      );
      return objects.filter((object): object is SinkWatermarkObject => object !== undefined);
    },

    async readRun(runId: string): Promise<HourRun | undefined> {
      const result = await clients.dynamodb.send(
        new GetItemCommand({
          TableName: settings.runsTable,
          Key: { runId: { S: runId } },
          ConsistentRead: true,
        }),
      );
      return result.Item ? hourRunOf(result.Item) : undefined;
    },

    async claimRun(claim: RunClaim): Promise<ClaimResult> {
      const fields: Record<string, AttributeValue> = {
        window: { S: claim.window },
        rawPrefix: { S: claim.rawPrefix },
        attempt: { N: String(claim.attempt) },
        executionName: { S: claim.executionName },
        reason: { S: claim.reason },
        status: { S: 'CLAIMED' },
        claimedAt: { S: claim.claimedAt },
        expiresAt: { N: String(claim.expiresAt) },
        failedAttempts: { N: String(claim.failedAttempts) },
        rawObjects: { N: String(claim.raw.objects) },
        rawBytes: { N: String(claim.raw.bytes) },
        rawFingerprint: { S: claim.raw.fingerprint },
      };
      try {
        if (claim.attempt === 1) {
          await clients.dynamodb.send(
            new PutItemCommand({
              TableName: settings.runsTable,
              Item: { runId: { S: claim.runId }, ...fields },
              ConditionExpression: 'attribute_not_exists(runId)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
        } else {
          // Only on top of the previous attempt, and only once it has ended.
          const names = Object.keys(fields);
          await clients.dynamodb.send(
            new UpdateItemCommand({
              TableName: settings.runsTable,
              Key: { runId: { S: claim.runId } },
              UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')} REMOVE #executionArn, #finishedAt, #outcome`,
              ConditionExpression: `${previousAttemptIs(claim.attempt - 1)} AND #status IN (:succeeded, :failed)`,
              ExpressionAttributeNames: {
                ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
                '#executionArn': 'executionArn',
                '#finishedAt': 'finishedAt',
                '#outcome': 'outcome',
              },
              ExpressionAttributeValues: {
                ...Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
                ':previous': { N: String(claim.attempt - 1) },
                ...ENDED,
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
        }
        return { outcome: 'claimed' };
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          errorName(error) === 'ConditionalCheckFailedException'
        ) {
          const existing = (error as ConditionalCheckFailedException).Item;
          const run = existing ? hourRunOf({ runId: { S: claim.runId }, ...existing }) : undefined;
          return {
            outcome: 'exists',
            status: run?.status ?? 'CLAIMED',
            attempt: run?.attempt ?? claim.attempt,
          };
        }
        throw error;
      }
    },

    async startExecution(input: RunInput): Promise<StartResult> {
      try {
        const result = await clients.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: settings.stateMachineArn,
            name: input.executionName,
            input: JSON.stringify(input),
          }),
        );
        return { outcome: 'started', executionArn: result.executionArn ?? '' };
      } catch (error) {
        if (errorName(error) === 'ExecutionAlreadyExists') return { outcome: 'already-exists' };
        throw error;
      }
    },

    async markStarted(runId: string, executionArn: string | undefined): Promise<void> {
      await clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: settings.runsTable,
          Key: { runId: { S: runId } },
          UpdateExpression: executionArn
            ? 'SET #status = :started, executionArn = :arn'
            : 'SET #status = :started',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: executionArn
            ? { ':started': { S: 'STARTED' }, ':arn': { S: executionArn } }
            : { ':started': { S: 'STARTED' } },
        }),
      );
    },

    async executionState(executionName: string): Promise<ExecutionState> {
      try {
        const result = await clients.sfn.send(
          new DescribeExecutionCommand({ executionArn: executionArnOf(executionName) }),
        );
        const status = result.status ?? 'RUNNING';
        // PENDING_REDRIVE: a redriven execution that has not resumed yet is still in flight.
        return status === 'PENDING_REDRIVE' ? 'RUNNING' : (status as ExecutionState);
      } catch (error) {
        if (errorName(error) === 'ExecutionDoesNotExist') return 'MISSING';
        throw error;
      }
    },

    async recordOutcome(
      runId: string,
      attempt: number,
      outcome: 'SUCCEEDED' | 'FAILED',
      detail: string,
    ): Promise<void> {
      try {
        await clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: settings.runsTable,
            Key: { runId: { S: runId } },
            UpdateExpression:
              outcome === 'SUCCEEDED'
                ? 'SET #status = :outcome, #outcome = :detail, #finishedAt = :now, #failedAttempts = :zero'
                : 'SET #status = :outcome, #outcome = :detail, #finishedAt = :now ADD #failedAttempts :one',
            ConditionExpression: `${previousAttemptIs(attempt)} AND #status = :started`,
            // Only the names the expressions use: DynamoDB refuses unused ones.
            ExpressionAttributeNames: {
              '#status': 'status',
              '#attempt': 'attempt',
              '#outcome': 'outcome',
              '#finishedAt': 'finishedAt',
              '#failedAttempts': 'failedAttempts',
            },
            ExpressionAttributeValues: {
              ':outcome': { S: outcome },
              ':detail': { S: detail },
              ':now': { S: new Date().toISOString() },
              ':previous': { N: String(attempt) },
              ':started': { S: 'STARTED' },
              ...(outcome === 'SUCCEEDED' ? { ':zero': { N: '0' } } : { ':one': { N: '1' } }),
            },
          }),
        );
      } catch (error) {
        // Recorded before (a redelivered tick): the ledger already holds the outcome.
        if (errorName(error) === 'ConditionalCheckFailedException') return;
        throw error;
      }
    },
  };
}

/** The objects under `prefix`, one ListObjectsV2 page (up to 1,000 keys) at a time. */
async function* listPages(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<_Object[]> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    yield page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Folder markers and empty files written by a crashed flush are not data. */
function isData(object: _Object): boolean {
  return (object.Size ?? 0) > 0 && !(object.Key ?? '').endsWith('/');
}

/** Keys and sizes, not ETags: with SSE-KMS an identical rewrite (a sink replay) gets a new ETag. */
export function snapshotOf(objects: readonly _Object[]): RawSnapshot {
  const lines = objects.map((object) => `${object.Key ?? ''}\t${object.Size ?? 0}`).sort();
  return {
    objects: objects.length,
    bytes: objects.reduce((total, object) => total + (object.Size ?? 0), 0),
    fingerprint: createHash('sha256').update(lines.join('\n')).digest('hex'),
  };
}

/**
 * Items written before attempts were recorded hold attempt 1 without the attribute. Attribute
 * names in update expressions are always aliased (`#attempt`): some are DynamoDB reserved words.
 */
function previousAttemptIs(attempt: number): string {
  return attempt === 1 ? '(attribute_not_exists(#attempt) OR #attempt = :previous)' : '#attempt = :previous';
}

function hourRunOf(item: Record<string, AttributeValue>): HourRun {
  const runId = item.runId?.S ?? '';
  const attempt = Number(item.attempt?.N ?? '1');
  const status = item.status?.S as RunStatus | undefined;
  const hasSnapshot = item.rawFingerprint?.S !== undefined;
  return {
    runId,
    window: item.window?.S ?? '',
    attempt,
    executionName: item.executionName?.S ?? runId,
    status: status !== undefined && RUN_STATUSES.includes(status) ? status : 'CLAIMED',
    failedAttempts: Number(item.failedAttempts?.N ?? '0'),
    ...(hasSnapshot
      ? {
          raw: {
            objects: Number(item.rawObjects?.N ?? '0'),
            bytes: Number(item.rawBytes?.N ?? '0'),
            fingerprint: item.rawFingerprint?.S ?? '',
          },
        }
      : {}),
  };
}
