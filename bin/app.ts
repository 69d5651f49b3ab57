#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../lib/config';
import { applyNagPacks } from '../lib/nag';
import { buildPipeline } from '../lib/pipeline-app';

const app = new App();
const config = loadStageConfig((key) => app.node.tryGetContext(key));
// Account and region come from the CLI profile at deploy time; nothing account-specific is committed.
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
buildPipeline(app, config, { env: account && region ? { account, region } : undefined });
applyNagPacks(app);
app.synth();
