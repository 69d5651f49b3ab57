import type * as iam from 'aws-cdk-lib/aws-iam';

/** Everything the orchestration needs to create a per-run EMR cluster and add the ATM step. */
export interface EmrRunSettings {
  readonly releaseLabel: string;
  readonly serviceRole: iam.IRole;
  readonly jobFlowRole: iam.IRole;
  readonly instanceProfileName: string;
  readonly securityConfigurationName: string;
  /** Private subnet the cluster runs in. */
  readonly subnetId: string;
  readonly primarySecurityGroupId: string;
  readonly coreSecurityGroupId: string;
  readonly serviceAccessSecurityGroupId: string;
  readonly primaryInstanceType: string;
  readonly coreInstanceType: string;
  readonly coreInstanceCount: number;
  readonly idleTimeoutSeconds: number;
  /** s3:// URI of the EMR log folder. */
  readonly logUri: string;
  /** s3:// URI of spark-jobs/atm_job.py as deployed. */
  readonly atmJobScriptUri: string;
  /** s3:// URI of the zip of the bankpipe package (--py-files). */
  readonly atmJobPyFilesUri: string;
}
