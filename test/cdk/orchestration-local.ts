import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { applyNagPacks } from '../../lib/nag';
import { OrchestrationStack } from '../../lib/stacks/orchestration-stack';
import { createStandIns, orchestrationInputs } from './stand-ins';

/** Synthesizes OrchestrationStack alone, on stand-ins, with the nag packs (throws on findings). */
export function synthOrchestrationAlone(stage: 'dev' | 'prod' = 'dev'): { template: Template; stack: Stack } {
  const standIns = createStandIns(stage);
  const inputs = orchestrationInputs(standIns);
  const stack = new OrchestrationStack(standIns.app, `${stage}-bank-pipeline-orchestration`, {
    config: standIns.config,
    env: { account: '111111111111', region: 'eu-central-1' },
    dataKey: standIns.dataKey,
    vpc: standIns.vpc,
    securityGroups: inputs.securityGroups,
    buckets: inputs.buckets,
    alertsTopic: inputs.alertsTopic,
    emr: inputs.emr,
    analytics: inputs.analytics,
    warehouse: inputs.warehouse,
  });
  applyNagPacks(standIns.app);
  standIns.app.synth();
  return { template: Template.fromStack(stack), stack };
}
