import * as path from 'node:path';
import type { Construct } from 'constructs';
import { emrInTransitEncryptionWarning } from '../config';
import { SERVICE_SUBNETS } from '../shared/emr-glue-redshift-lambda';
import { EMR_LOG_PREFIX, EmrRoles } from './emr-roles';
import { EmrSecurityConfiguration } from './emr-security-configuration';
import { SparkJobAssets } from './emr-spark-job-assets';
import { BANKPIPE_PACKAGE, BANKPIPE_ZIP } from './emr-spark-job-bundle';
import { REPO_ROOT } from '../shared/repo-root';
import { requireCurrentReportOutputs } from '../shared/report-outputs';
import type { ProcessingStackProps } from './processing-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';
import type { ProcessingMonitoringTargets } from './processing-monitoring-targets';
import type { EmrRunSettings } from './emr-run-settings';

export type { ProcessingStackProps } from './processing-stack-props';

/** Key prefix of the ATM job bundle in the artifacts bucket. */
export const ATM_JOB_PREFIX = 'spark-jobs/atm/';
export const ATM_JOB_SCRIPT = 'atm_job.py';

/**
 * EMR roles, security configuration and the job-script assets; clusters are created per run.
 *
 * Why a cluster per run and no long-lived cluster: the ATM job runs once per
 * closed hour of data for a few minutes. The orchestration's state machine
 * creates a cluster with these settings (EmrCreateCluster), adds the step,
 * and terminates the cluster when the step ends, on failure too; between
 * runs nothing runs, so idle cost is zero, and every run starts from a clean,
 * patched release with this security configuration. The auto-termination
 * policy (`idleTimeoutSeconds`, from config) is the safety net for a
 * cluster an aborted execution left behind.
 */
export class ProcessingStack extends PipelineStack {
  readonly emrRunSettings: EmrRunSettings;
  readonly monitoringTargets: ProcessingMonitoringTargets;
  readonly roles: EmrRoles;
  readonly securityConfiguration: EmrSecurityConfiguration;
  readonly jobAssets: SparkJobAssets;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config, buckets, dataKey, vpc, securityGroups } = props;
    const sparkJobsDir = path.resolve(REPO_ROOT, props.sparkJobsDir ?? 'spark-jobs');
    const subnets = SERVICE_SUBNETS;
    // The job's report catalog (bankpipe/report_catalog.py) is built from sql/reports (make reports).
    requireCurrentReportOutputs();

    this.jobAssets = new SparkJobAssets(this, 'AtmJobAssets', {
      config,
      bundle: {
        files: { [ATM_JOB_SCRIPT]: path.join(sparkJobsDir, ATM_JOB_SCRIPT) },
        packageDir: path.join(sparkJobsDir, BANKPIPE_PACKAGE),
        contractSchemaPath: path.resolve(
          REPO_ROOT,
          props.contractSchemaPath ?? 'contracts/transaction.schema.json',
        ),
      },
      bucket: buckets.artifacts,
      keyPrefix: ATM_JOB_PREFIX,
      dataKey,
      vpc,
      subnets,
      securityGroup: securityGroups.lambda,
    });

    // In-transit encryption between EMR nodes needs the certificate zip; config validation makes prod
    // refuse to synth without it, other stages say so at every synth.
    const tlsZipKey = config.processing.emrTlsCertificatesZipKey;
    const inTransitWarning = emrInTransitEncryptionWarning(config);
    if (inTransitWarning !== undefined) console.warn(inTransitWarning);
    this.roles = new EmrRoles(this, 'Emr', {
      dataKey,
      raw: buckets.raw,
      processed: buckets.processed,
      quarantine: buckets.quarantine,
      artifacts: buckets.artifacts,
      jobFileArns: [
        this.jobAssets.objectArn(ATM_JOB_SCRIPT),
        this.jobAssets.objectArn(BANKPIPE_ZIP),
        ...(tlsZipKey === undefined ? [] : [buckets.artifacts.arnForObjects(tlsZipKey)]),
      ],
    });

    this.securityConfiguration = new EmrSecurityConfiguration(this, 'SecurityConfiguration', {
      dataKey,
      tlsCertificatesZipUri:
        tlsZipKey === undefined ? undefined : `s3://${buckets.artifacts.bucketName}/${tlsZipKey}`,
    });

    const subnetId = vpc.selectSubnets(subnets).subnetIds[0];
    if (subnetId === undefined) {
      throw new Error(
        `ProcessingStack: the VPC has no '${subnets.subnetGroupName}' subnet for the EMR cluster; check the network stack`,
      );
    }
    const { processing } = config;
    this.emrRunSettings = {
      releaseLabel: processing.emrReleaseLabel,
      serviceRole: this.roles.serviceRole,
      jobFlowRole: this.roles.instanceRole,
      instanceProfileName: this.roles.instanceProfile.ref,
      securityConfigurationName: this.securityConfiguration.name,
      subnetId,
      primarySecurityGroupId: securityGroups.emrPrimary.securityGroupId,
      coreSecurityGroupId: securityGroups.emrCore.securityGroupId,
      serviceAccessSecurityGroupId: securityGroups.emrServiceAccess.securityGroupId,
      primaryInstanceType: processing.primaryInstanceType,
      coreInstanceType: processing.coreInstanceType,
      coreInstanceCount: processing.coreInstanceCount,
      idleTimeoutSeconds: processing.idleTimeoutMinutes * 60,
      logUri: `s3://${buckets.artifacts.bucketName}/${EMR_LOG_PREFIX}`,
      atmJobScriptUri: this.jobAssets.s3Uri(ATM_JOB_SCRIPT),
      atmJobPyFilesUri: this.jobAssets.s3Uri(BANKPIPE_ZIP),
    };
    this.monitoringTargets = { securityConfigurationName: this.securityConfiguration.name };
  }
}
