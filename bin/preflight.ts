#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadStageConfig } from '../lib/config';
import { DEFAULT_PLUGIN_DIST_DIR } from '../lib/pipeline-app';
import { resolveRegion, sdkPreflightAws } from '../lib/preflight/aws-ports';
import { AZ_SUPPORT } from '../lib/preflight/az-support';
import { parsePreflightArgs, UsageError, USAGE } from '../lib/preflight/cli-args';
import { formatResult, formatSummary } from '../lib/preflight/report';
import { runPreflight } from '../lib/preflight/run-preflight';
import { synthStageRequirements } from '../lib/preflight/stage-requirements';
import { REDSHIFT_JDBC_JAR_DIR } from '../lib/analytics/redshift-jdbc-driver';

/** cdk.json context, then cdk.context.json, then -c flags: the order the cdk CLI merges them in. */
function readContext(flags: Record<string, string>): Record<string, unknown> {
  const readJson = (file: string) =>
    fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const cdkJson = readJson(path.resolve('cdk.json')) as { context?: Record<string, unknown> };
  return { ...cdkJson.context, ...readJson(path.resolve('cdk.context.json')), ...flags };
}

async function main(): Promise<number> {
  const args = parsePreflightArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const context = readContext(args.context);
  const config = loadStageConfig((key) => context[key]);
  const region = await resolveRegion();
  console.log(`Preflight for stage ${config.stage} (read-only)`);
  const results = await runPreflight({
    config,
    region,
    aws: sdkPreflightAws,
    stageRequirements: (env) => synthStageRequirements(context, config, env),
    artifacts: { pluginDistDir: DEFAULT_PLUGIN_DIST_DIR, jdbcJarDir: REDSHIFT_JDBC_JAR_DIR },
    azSupport: AZ_SUPPORT,
    lambdaConcurrencyQuota: args.lambdaConcurrencyQuota,
  });
  for (const result of results) console.log(formatResult(result));
  console.log(formatSummary(results, config.stage));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A wrong flag or config is the user's to fix: say what and how, without a stack trace.
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : error.message);
      process.exit(2);
    }
    throw error;
  },
);
