import { synthStage, TEST_STAGES } from './synth-pipeline';

/**
 * Synthesizes every stage once per test run (bundling Lambdas and running the nag
 * packs takes a while); the CDK test files read the templates from disk.
 * Set SKIP_CDK_SYNTH=1 to run only non-CDK tests quickly.
 */
export default function setup(): void {
  if (process.env.SKIP_CDK_SYNTH === '1') return;
  for (const stage of TEST_STAGES) synthStage(stage);
}
