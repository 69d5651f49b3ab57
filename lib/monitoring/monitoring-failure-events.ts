import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface FailureEventsProps {
  readonly stage: string;
  /** The alerts topic, referenced by ARN so no policy is added to the topic's own stack. */
  readonly alertsTopic: sns.ITopic;
  readonly loadJobName: string;
  readonly crawlerNames: string[];
  /** Prefix of the ATM step names (the state machine names them `atm-job <runId>`). */
  readonly atmStepNamePrefix: string;
}

/**
 * Failures that AWS reports as events rather than as metrics of a long-lived
 * resource: the per-run EMR cluster's ATM step, the Glue load job and the
 * crawlers. Each rule sends a one-line, human-readable alert to the topic
 * (FoundationStack's topic policy and key policy allow EventBridge to publish).
 *
 * Inside a run the state machine's alert carries the same failure with more
 * context; these rules also catch runs started by hand (a Glue job re-run from
 * the console, the raw crawler on its schedule).
 */
export class FailureEvents extends Construct {
  readonly emrStepFailed: events.Rule;
  readonly loadJobFailed: events.Rule;
  readonly crawlerFailed: events.Rule;

  constructor(scope: Construct, id: string, props: FailureEventsProps) {
    super(scope, id);
    const field = (path: string): string => events.EventField.fromPath(path);
    const notify = (message: string): targets.SnsTopic =>
      new targets.SnsTopic(props.alertsTopic, { message: events.RuleTargetInput.fromText(message) });
    const prefix = `[${props.stage}] bank pipeline:`;

    this.emrStepFailed = new events.Rule(this, 'EmrStepFailed', {
      description: 'ATM job step of a pipeline EMR cluster failed or was cancelled',
      eventPattern: {
        source: ['aws.emr'],
        detailType: ['EMR Step Status Change'],
        detail: { state: ['FAILED', 'CANCELLED'], name: [{ prefix: props.atmStepNamePrefix }] },
      },
      targets: [
        notify(
          `${prefix} EMR step "${field('$.detail.name')}" on cluster ${field('$.detail.clusterId')} ended ${field('$.detail.state')}: ${field('$.detail.message')}`,
        ),
      ],
    });

    this.loadJobFailed = new events.Rule(this, 'LoadJobFailed', {
      description: 'The Glue warehouse load job failed, timed out or errored',
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Job State Change'],
        detail: { jobName: [props.loadJobName], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      },
      targets: [
        notify(
          `${prefix} Glue job ${field('$.detail.jobName')} run ${field('$.detail.jobRunId')} ended ${field('$.detail.state')}: ${field('$.detail.message')}`,
        ),
      ],
    });

    this.crawlerFailed = new events.Rule(this, 'CrawlerFailed', {
      description: 'A pipeline Glue crawler failed',
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Crawler State Change'],
        detail: { crawlerName: props.crawlerNames, state: ['Failed'] },
      },
      targets: [
        notify(
          `${prefix} Glue crawler ${field('$.detail.crawlerName')} failed: ${field('$.detail.errorMessage')}`,
        ),
      ],
    });
    for (const rule of [this.emrStepFailed, this.loadJobFailed, this.crawlerFailed]) {
      Validations.of(rule).acknowledge({
        id: 'Annotation::@aws-cdk/aws-events:ruleUnresolvedEnvironment',
        reason:
          'The alerts topic is referenced by its ARN (a FoundationStack output), so CDK cannot see that it is in this account and region; the app deploys all stacks to one environment',
      });
    }
  }
}
