import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { applySqlFiles, type StatementRunner } from './apply-sql-files';
import { RedshiftDataRunner } from './redshift-data-runner';
import { parseSchemaRequest, physicalResourceId } from './schema-request';

/** What the Provider framework expects back from an onEvent handler. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface HandlerDependencies {
  readonly runner: StatementRunner;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly pollIntervalMs: number;
}

/** Time kept back from Lambda's timeout to report a still-running statement as a clear error. */
const SAFETY_MARGIN_MS = 20_000;

/**
 * The warehouse-schema custom resource (Provider framework onEvent).
 * Create and Update apply every sql/redshift file in order: the files are
 * idempotent, and running all of them keeps the logic free of diffing.
 * Delete does nothing: dropping the schema would drop the bank's data, and
 * the warehouse itself decides what happens to it on stack deletion.
 */
export function createHandler(deps: HandlerDependencies) {
  return async (
    event: CloudFormationCustomResourceEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<OnEventResponse> => {
    if (event.RequestType === 'Delete') {
      log('delete: nothing to do, the schema stays with the warehouse', {
        physicalResourceId: event.PhysicalResourceId,
      });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const request = parseSchemaRequest(event.ResourceProperties);
    const remaining = context?.getRemainingTimeInMillis() ?? 14 * 60_000;
    const applied = await applySqlFiles(request.sqlFiles, request.target, deps.runner, {
      sleep: deps.sleep,
      now: deps.now,
      pollIntervalMs: deps.pollIntervalMs,
      deadline: deps.now() + remaining - SAFETY_MARGIN_MS,
      log,
    });
    log('warehouse schema applied', {
      requestType: event.RequestType,
      files: applied.length,
      sqlHash: request.sqlHash,
    });
    return {
      PhysicalResourceId: physicalResourceId(request.target),
      Data: { AppliedFiles: String(applied.length), SqlHash: request.sqlHash },
    };
  };
}

function log(message: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ message, ...fields }));
}

export const handler = createHandler({
  runner: new RedshiftDataRunner(new RedshiftDataClient({})),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  pollIntervalMs: 2_000,
});
