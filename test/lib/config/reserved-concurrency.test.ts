import { describe, expect, it } from 'vitest';
import { RUN_SERVICES } from '../../../lib/orchestration/orchestration-stack';
import { resourcesOfType } from '../../helpers/cross-stack';
import { loadTemplateJson, stackNames } from '../../helpers/synth-pipeline';

const RUN_SERVICE_NAMES: readonly string[] = Object.values(RUN_SERVICES);

/** The orchestration stack's run functions (not its deploy-time handlers), by Powertools service name. */
function runFunctions(stage: 'dev' | 'prod'): [string, Record<string, unknown>][] {
  return resourcesOfType(loadTemplateJson(stage, 'orchestration'), 'AWS::Lambda::Function').flatMap(
    ([, fn]) => {
      const environment = fn.Properties?.Environment as { Variables?: Record<string, string> } | undefined;
      const service = environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      return service !== undefined && RUN_SERVICE_NAMES.includes(service)
        ? [[service, fn] as [string, Record<string, unknown>]]
        : [];
    },
  );
}

/** Reserved concurrency of each run function of a stage, by its Powertools service name. */
function runFunctionReservations(stage: 'dev' | 'prod'): Record<string, unknown> {
  return Object.fromEntries(
    runFunctions(stage).map(([service, fn]) => [
      service,
      (fn.Properties as Record<string, unknown> | undefined)?.ReservedConcurrentExecutions,
    ]),
  );
}

describe('orchestration.reservedConcurrency in the synthesized templates', () => {
  it('dev reserves no concurrency anywhere, so it deploys into an account at the new-account quota', () => {
    for (const name of stackNames('dev')) {
      const part = name.replace('dev-bankpipe-', '');
      expect(JSON.stringify(loadTemplateJson('dev', part)), name).not.toContain(
        'ReservedConcurrentExecutions',
      );
    }
    expect(Object.keys(runFunctionReservations('dev')).sort()).toEqual(Object.values(RUN_SERVICES).sort());
  });

  it('dev says on each run function why checkov CKV_AWS_115 does not apply', () => {
    const functions = runFunctions('dev');
    expect(functions.map(([service]) => service).sort()).toEqual([...RUN_SERVICE_NAMES].sort());
    for (const [logicalId, fn] of functions) {
      const skips = (fn.Metadata as { checkov?: { skip: { id: string; comment: string }[] } } | undefined)
        ?.checkov?.skip;
      expect(skips?.find((skip) => skip.id === 'CKV_AWS_115')?.comment, logicalId).toMatch(
        /orchestration\.reservedConcurrency false/,
      );
    }
  });

  it('prod keeps start-run at 1 (one tick at a time) and each run task at 2', () => {
    expect(runFunctionReservations('prod')).toEqual({
      [RUN_SERVICES.startRun]: 1,
      [RUN_SERVICES.reconcile]: 2,
      [RUN_SERVICES.crawlerStatus]: 2,
      [RUN_SERVICES.refreshReports]: 2,
    });
  });
});
