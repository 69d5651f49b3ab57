import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName } from '../shared/errors';
import type { RunInput } from '../shared/run-input';
import type { ClaimResult, RunClaim, RunStarter, StartResult } from './start-run';

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

/**
 * RunStarter on AWS: the raw bucket (S3), the runs ledger (DynamoDB, key `runId`)
 * and the state machine (Step Functions). SDK errors other than the two expected
 * outcomes (claim exists, execution exists) are thrown as they are, for
 * `withRetry` to classify.
 */
export function createAwsRunStarter(
  clients: AwsRunStarterClients,
  settings: AwsRunStarterSettings,
): RunStarter {
  return {
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
      const page = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: settings.rawBucket, Prefix: rawPrefix, MaxKeys: 100 }),
      );
      // Folder markers and empty files written by a crashed flush are not data.
      return (page.Contents ?? []).some(
        (object) => (object.Size ?? 0) > 0 && !(object.Key ?? '').endsWith('/'),
      );
    },

    async claimRun(claim: RunClaim): Promise<ClaimResult> {
      try {
        await clients.dynamodb.send(
          new PutItemCommand({
            TableName: settings.runsTable,
            Item: {
              runId: { S: claim.runId },
              window: { S: claim.window },
              rawPrefix: { S: claim.rawPrefix },
              status: { S: 'CLAIMED' },
              claimedAt: { S: claim.claimedAt },
              expiresAt: { N: String(claim.expiresAt) },
            },
            ConditionExpression: 'attribute_not_exists(runId)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { outcome: 'claimed' };
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          errorName(error) === 'ConditionalCheckFailedException'
        ) {
          const existing = (error as ConditionalCheckFailedException).Item;
          return { outcome: 'exists', status: existing?.status?.S === 'STARTED' ? 'STARTED' : 'CLAIMED' };
        }
        throw error;
      }
    },

    async startExecution(input: RunInput): Promise<StartResult> {
      try {
        const result = await clients.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: settings.stateMachineArn,
            name: input.runId,
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
  };
}
