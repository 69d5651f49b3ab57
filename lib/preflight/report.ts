import type { CheckResult, CheckStatus } from './check-result';

const MARK: Record<CheckStatus, string> = { pass: '✓', fail: '✗', unknown: '?' };

/** One line per check; a failure or unknown carries its fix on the same line. */
export function formatResult(result: CheckResult): string {
  const line = `${MARK[result.status]} ${result.name}: ${result.detail}`;
  if (!result.fix || result.status === 'pass') return line;
  return `${line}. ${result.status === 'fail' ? 'Fix' : 'To check'}: ${result.fix}`;
}

export function formatSummary(results: readonly CheckResult[], stage: string): string {
  const failed = results.filter((r) => r.status === 'fail').length;
  const unknowns = results.filter((r) => r.status === 'unknown').length;
  const caveat = unknowns > 0 ? ` (${unknowns} could not be checked from here: see '?')` : '';
  return failed === 0
    ? `All ${results.length - unknowns} checks passed${caveat}. Next: npx cdk deploy --all -c stage=${stage}`
    : `${failed} of ${results.length} checks failed${caveat}: fix them and run make preflight STAGE=${stage} again.`;
}
