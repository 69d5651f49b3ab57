import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BucketLocationConstraint, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * The resources the moto tests create before calling an adapter, made the way the stacks declare
 * them, so each test file states only which buckets, tables and state machines it needs.
 */

/** An S3 bucket in the client's region (outside us-east-1, S3 wants the region named). */
export async function createBucket(s3: S3Client, region: string, bucket: string): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
    }),
  );
}

/** An on-demand DynamoDB table keyed by one string partition key, as every table of the stacks is. */
export async function createStringKeyTable(
  dynamodb: DynamoDBClient,
  tableName: string,
  partitionKey: string,
): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** A state machine that succeeds at once: enough to start, list and describe its executions. Returns its ARN. */
export async function createSucceedingStateMachine(
  sfn: SFNClient,
  name: string,
  roleArn: string,
): Promise<string> {
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn,
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  return machine.stateMachineArn ?? '';
}
