import type { PipelineStackProps } from './pipeline-stack-props';

/**
 * Props of FoundationStack: the pipeline's KMS key and its alerts topic.
 *
 * Everything comes from the stage config: `allowDestroy` decides whether the key
 * is scheduled for deletion on `cdk destroy` (default: retained), and
 * `monitoring.alarmEmail` adds an email subscription to the alerts topic
 * (default: no subscription).
 */
export type FoundationStackProps = PipelineStackProps;
