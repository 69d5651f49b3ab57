import type { PipelineStackProps } from './pipeline-stack-props';

/** Props of FoundationStack: the pipeline's KMS key and its alerts topic. */
export type FoundationStackProps = PipelineStackProps;
