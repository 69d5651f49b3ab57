import * as crypto from 'node:crypto';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The Glue security configuration of the crawlers and the load job: S3
 * writes with SSE-KMS, CloudWatch logs and job bookmarks encrypted, all with
 * the pipeline key.
 *
 * Its name carries a hash of its settings: a security configuration cannot be
 * updated, a change replaces it, and the replacement needs a new name.
 */
export class GlueSecurityConfiguration extends Construct {
  readonly resource: glue.CfnSecurityConfiguration;
  readonly name: string;

  constructor(scope: Construct, id: string, props: { namePrefix: string; dataKey: kms.IKey }) {
    super(scope, id);
    const keyArn = props.dataKey.keyArn;
    const encryptionConfiguration: glue.CfnSecurityConfiguration.EncryptionConfigurationProperty = {
      s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn }],
      cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn },
      jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: keyArn },
    };
    const settingsHash = crypto
      .createHash('sha256')
      .update(JSON.stringify(Stack.of(this).resolve(encryptionConfiguration)))
      .digest('hex')
      .slice(0, 8);
    this.name = `${props.namePrefix}-${settingsHash}`;
    this.resource = new glue.CfnSecurityConfiguration(this, 'Resource', {
      name: this.name,
      encryptionConfiguration,
    });
  }
}

/**
 * What a Glue crawler or job role needs to write its (KMS-encrypted) logs:
 * Glue creates per-role log groups under /aws-glue/ when a security
 * configuration encrypts CloudWatch logs, and associates the key with them.
 */
export function glueLogStatements(scope: Construct): {
  statements: iam.PolicyStatement[];
  logGroups: string;
} {
  const logGroups = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '/aws-glue/*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return {
    logGroups,
    statements: [
      new iam.PolicyStatement({
        sid: 'WriteEncryptedGlueLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [logGroups],
      }),
    ],
  };
}
