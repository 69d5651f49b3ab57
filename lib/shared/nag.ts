import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, PCIDSS321Checks } from 'cdk-nag';

/**
 * Runs the AWS Solutions and PCI DSS 3.2.1 packs on every synth. This is bank
 * card data, so PCI is the relevant compliance pack. Findings fail synthesis
 * unless acknowledged on the one resource they concern, with a reason.
 */
export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new PCIDSS321Checks(app));
}
