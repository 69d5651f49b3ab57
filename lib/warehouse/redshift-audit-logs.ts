import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { dataRemovalPolicy } from '../shared/data-removal-policy';

/** The three Redshift audit logs: who connected, changes to users, every query. */
export const REDSHIFT_AUDIT_LOGS = ['connectionlog', 'userlog', 'useractivitylog'] as const;

/** PCI DSS 10.7 keeps audit trails a year; a longer stage retention wins. */
const MIN_AUDIT_RETENTION_DAYS = 365;

/**
 * Pre-creates the CloudWatch log groups Redshift exports its audit logs to,
 * KMS-encrypted and with a year's retention. Redshift writes into a group of
 * the expected name when it exists; otherwise it would create one itself,
 * unencrypted and kept forever.
 */
export class RedshiftAuditLogGroups extends Construct {
  readonly logGroups: logs.LogGroup[];

  /**
   * @param logGroupPrefix `/aws/redshift/<namespace>` (serverless) or `/aws/redshift/cluster/<cluster id>` (provisioned)
   */
  constructor(
    scope: Construct,
    id: string,
    props: { config: StageConfig; dataKey: kms.IKey; logGroupPrefix: string },
  ) {
    super(scope, id);
    const retention = Math.max(
      MIN_AUDIT_RETENTION_DAYS,
      props.config.orchestration.logRetentionDays,
    ) as logs.RetentionDays;
    this.logGroups = REDSHIFT_AUDIT_LOGS.map(
      (log) =>
        new logs.LogGroup(this, log, {
          logGroupName: `${props.logGroupPrefix}/${log}`,
          encryptionKey: props.dataKey,
          retention,
          removalPolicy: dataRemovalPolicy(props.config),
        }),
    );
  }
}
