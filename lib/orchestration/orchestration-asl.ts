import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Small helpers for writing Amazon States Language by hand in CustomState.
 *
 * The run's tasks are CustomStates rather than the typed CDK task classes so
 * that the state machine role holds exactly the permissions written in
 * orchestration-run-state-machine.ts (tag-scoped EMR actions, unqualified
 * Lambda ARNs), instead of the broader ones the task classes add on their own.
 */

/** A string literal inside an intrinsic function, with `' { } \\` escaped. */
export function intrinsicLiteral(value: string): string {
  return `'${escapeIntrinsic(value)}'`;
}

/** `States.Format('<template>', args...)`; every `{}` in the template is a placeholder, the rest is escaped. */
export function intrinsicFormat(template: string, ...args: string[]): string {
  const escaped = template.split('{}').map(escapeIntrinsic).join('{}');
  return `States.Format('${escaped}', ${args.join(', ')})`;
}

/** CDK's marker for an unresolved string token, e.g. `${Token[TOKEN.123]}`. */
const TOKEN_MARKER = /(\$\{Token\[[^\]]+\]\})/;

/**
 * Escapes `' { } \\` in the literal parts only: token markers (bucket names and
 * ARNs from other stacks) must stay intact so CDK can still resolve them. The
 * values they resolve to (bucket names, ARNs) never contain those characters.
 */
function escapeIntrinsic(value: string): string {
  return value
    .split(TOKEN_MARKER)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/[\\'{}]/g, (c) => `\\${c}`)))
    .join('');
}

/** Retry for transient trouble when calling an AWS API from a task. */
export function apiRetry(errors: string[], overrides: Partial<sfn.RetryProps> = {}): sfn.RetryProps {
  return {
    errors,
    interval: Duration.seconds(10),
    backoffRate: 2,
    maxAttempts: 4,
    maxDelay: Duration.minutes(2),
    jitterStrategy: sfn.JitterType.FULL,
    ...overrides,
  };
}

/** Errors of the Lambda service itself (not of the function), and the functions' own RetryableError. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'RetryableError',
];

/** Throttling and server-side errors the EMR integration reports. */
export const EMR_TRANSIENT_ERRORS = [
  'EMR.AmazonElasticMapReduceException',
  'EMR.InternalServerException',
  'EMR.ThrottlingException',
];

/** Transient Glue API errors (a busy crawler is handled separately). */
export const GLUE_TRANSIENT_ERRORS = [
  'Glue.ThrottlingException',
  'Glue.InternalServiceException',
  'Glue.OperationTimeoutException',
  'Glue.ConcurrentRunsExceededException',
];
