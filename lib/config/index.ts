export { ConfigError } from './config-error';
export { loadStageConfig, type ContextReader } from './load-stage-config';
export type * from './stage-config';
