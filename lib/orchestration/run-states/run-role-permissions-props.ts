import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EmrRunSettings } from '../../processing/emr-run-settings';

/** Everything the run's states call, so the role can be granted exactly that. */
export interface RunRolePermissionsProps {
  /** Stage name: the role may only act on clusters tagged with it. */
  readonly stage: string;
  /** The EMR roles the role passes to each run's cluster. */
  readonly emr: EmrRunSettings;
  /**
   * The crawl the run starts and polls after reconcile.
   * @default none (the processed crawler runs on its own schedule; the role may neither start it nor poll it)
   */
  readonly crawl?: {
    readonly processedCrawlerName: string;
    readonly crawlerStatusFunction: lambda.IFunction;
  };
  readonly loadJobName: string;
  readonly reconcileFunction: lambda.IFunction;
  readonly refreshReportsFunction: lambda.IFunction;
  readonly alertsTopic: sns.ITopic;
  /** Key of the alerts topic. */
  readonly dataKey: kms.IKey;
}
