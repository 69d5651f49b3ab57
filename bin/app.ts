#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, loadStageConfig, type StageConfig } from '../lib/config';
import { applyNagPacks } from '../lib/shared/nag';
import { buildPipeline } from '../lib/pipeline-app';

const app = new App();
let config: StageConfig;
try {
  config = loadStageConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  // A config mistake is the user's to fix: say which key and how, without a stack trace.
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
// Account and region come from the CLI profile at deploy time; nothing account-specific is committed.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
buildPipeline(app, config, { env: account && region ? { account, region } : undefined });
applyNagPacks(app);
app.synth();
