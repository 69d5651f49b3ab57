#!/usr/bin/env node
/**
 * `make cost`: synthesizes every stage of cdk.json in-process, prices what its
 * templates hold (lib/cost) and prints per stage its idle month, one run and a
 * month of runs. Writes the README's cost section, or with `--check` only
 * compares it and fails when the README and the templates disagree.
 *
 *   npx tsx bin/cost.ts [--check] [--region us-east-1]   (COST_REGION also sets the region)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import * as prettier from 'prettier';
import { ConfigError, loadStageConfig } from '../lib/config';
import { STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION } from '../lib/config/emr-in-transit-encryption';
import {
  currentCostSection,
  readmeCostSection,
  replaceCostSection,
  sameCostSection,
  stageCostText,
} from '../lib/cost/cost-report';
import { loadPriceList, PriceError } from '../lib/cost/price-list';
import { estimateStageCost, type StageCost } from '../lib/cost/stage-cost';
import { readStageTemplates } from '../lib/cost/template-reader';
import { buildPipeline } from '../lib/pipeline-app';
import { REPO_ROOT } from '../lib/shared/repo-root';

const README = path.join(REPO_ROOT, 'README.md');
/** Stands in for a stage's EMR certificate zip when cdk.json leaves it to the deployer: the certificates change nothing that bills. */
const ESTIMATE_ONLY_TLS_ZIP_KEY = 'emr-tls/cost-estimate-only.zip';

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const regionFlag = argv.indexOf('--region');
  const region =
    (regionFlag >= 0 ? argv[regionFlag + 1] : undefined) ?? process.env.COST_REGION ?? 'us-east-1';
  const prices = loadPriceList(region);

  const context = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    }
  ).context;
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  const costs: StageCost[] = Object.keys(stages).map((stage) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cost-${stage}-`));
    try {
      const stageSettings = structuredClone(stages);
      if (STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION.includes(stage)) {
        const settings = stageSettings[stage] ?? {};
        settings.processing = { emrTlsCertificatesZipKey: ESTIMATE_ONLY_TLS_ZIP_KEY, ...settings.processing };
        stageSettings[stage] = settings;
      }
      const app = new App({ outdir, context: { ...context, stages: stageSettings, stage } });
      buildPipeline(
        app,
        loadStageConfig((key) => app.node.tryGetContext(key)),
      );
      app.synth();
      return estimateStageCost(stage, readStageTemplates(outdir, stage), prices);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  console.log(costs.map(stageCostText).join('\n\n'));
  const readme = fs.readFileSync(README, 'utf8');
  const section = readmeCostSection(costs, prices);
  if (check) {
    if (!sameCostSection(currentCostSection(readme), section)) {
      console.error(
        '\nREADME.md cost section differs from the templates. Fix: run `make cost` and commit README.md',
      );
      return 1;
    }
    console.log('\nREADME.md cost section matches the templates.');
    return 0;
  }
  // Formatted as `make check` wants it, so writing the section leaves Prettier nothing to change.
  const options = (await prettier.resolveConfig(README)) ?? {};
  fs.writeFileSync(
    README,
    await prettier.format(replaceCostSection(readme, section), { ...options, filepath: README }),
  );
  console.log('\nREADME.md cost section written.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof PriceError || error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
    } else {
      throw error;
    }
  },
);
