import type { DataServiceStackProps } from '../shared/shared-stack-props';

/**
 * Props of StreamingStack. Sizes, names and versions come from `config.streaming`;
 * their defaults, rules and meanings are defined once, in lib/config/stage-settings.ts.
 */
export interface StreamingStackProps extends DataServiceStackProps {
  /**
   * Folder holding the built MSK Connect plugin zips (`sftp-jsonl-source-*.zip`,
   * `s3-jsonl-sink-*.zip`, built by connectors/build-plugins.sh).
   * @default 'connectors/dist' (set by buildPipeline)
   */
  readonly pluginDistDir: string;
}
