import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { readStageRequirements, totalReserved } from '../../../lib/preflight/stage-requirements';

/** A two-stack app with the default synthesizer: the same bootstrap rule and parameter as the pipeline's. */
function synthTinyApp(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  for (const [name, reserved] of [
    ['one', [1, 2]],
    ['two', [4]],
  ] as const) {
    const stack = new Stack(app, name);
    reserved.forEach((count, index) => {
      new lambda.Function(stack, `Fn${index}`, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {};'),
        reservedConcurrentExecutions: count,
      });
    });
    new lambda.Function(stack, 'Unreserved', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
  }
  return app.synth();
}

describe('readStageRequirements', () => {
  it('sums reserved concurrency over every stack and reads the version the bootstrap rule demands', () => {
    const assembly = synthTinyApp();
    const requirements = readStageRequirements(assembly);
    expect(totalReserved(requirements.reservedConcurrency)).toBe(1 + 2 + 4);
    expect(requirements.reservedConcurrency).toHaveLength(3);

    // The rule's own description states the version in words; the derivation must agree with it.
    const template = assembly.getStackByName('one').template as {
      Rules: { CheckBootstrapVersion: { Assertions: { AssertDescription: string }[] } };
    };
    const described = /version (\d+) required/.exec(
      template.Rules.CheckBootstrapVersion.Assertions[0]?.AssertDescription ?? '',
    )?.[1];
    expect(requirements.minimumBootstrapVersion).toBe(Number(described));
    expect(requirements.bootstrapParameterName).toBe('/cdk-bootstrap/hnb659fds/version');
  });

  it('takes the qualifier from the context, as cdk.json sets it', () => {
    const requirements = readStageRequirements(
      synthTinyApp({ '@aws-cdk/core:bootstrapQualifier': 'bank42' }),
    );
    expect(requirements.bootstrapParameterName).toBe('/cdk-bootstrap/bank42/version');
  });
});
