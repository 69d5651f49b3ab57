import type { StackProps } from 'aws-cdk-lib';
import type { StageConfig } from '../config';

/** What every stack of the pipeline receives: the validated stage config. */
export interface PipelineStackProps extends StackProps {
  /** The validated configuration of the stage being synthesized. */
  readonly config: StageConfig;
}
