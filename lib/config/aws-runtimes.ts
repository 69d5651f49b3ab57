// The AWS runtimes the app deploys onto, read from aws-runtimes.json: the one home of
// these values (the Python parity test and the connector-pom test read the same file).
// Each value there names the AWS documentation page it comes from.
import * as lambda from 'aws-cdk-lib/aws-lambda';
import declared from './aws-runtimes.json';

/** Spark and Python of one EMR release, as AWS documents them. */
export interface EmrReleaseRuntime {
  readonly releaseLabel: string;
  /** Spark version the release ships, e.g. '3.5.2'. */
  readonly sparkVersion: string;
  /** Python minor version the ATM job runs on, e.g. '3.11'. */
  readonly pythonVersion: string;
  /** That Python's interpreter on the cluster nodes (exported as PYSPARK_PYTHON). */
  readonly pythonInterpreter: string;
}

/** Spark and Python of the Glue version the load job runs on. */
export interface GlueRuntime {
  readonly glueVersion: string;
  readonly sparkVersion: string;
  readonly pythonVersion: string;
}

/** The file the values come from, for error messages. */
export const AWS_RUNTIMES_FILE = 'lib/config/aws-runtimes.json';

const EMR_RELEASES: ReadonlyMap<string, EmrReleaseRuntime> = new Map(
  Object.entries(declared.emr.releases).map(([releaseLabel, release]) => [
    releaseLabel,
    {
      releaseLabel,
      sparkVersion: release.spark,
      pythonVersion: release.python,
      pythonInterpreter: release.pythonInterpreter,
    },
  ]),
);

/** EMR release labels whose Spark and Python are declared; any other label fails synth. */
export const SUPPORTED_EMR_RELEASE_LABELS: readonly string[] = [...EMR_RELEASES.keys()];

/** The release label a stage gets unless cdk.json sets `processing.emrReleaseLabel`. */
export const DEFAULT_EMR_RELEASE_LABEL: string = declared.emr.defaultReleaseLabel;

/** The declared Spark and Python of an EMR release, or undefined when the release is not declared. */
export function emrReleaseRuntime(releaseLabel: string): EmrReleaseRuntime | undefined {
  return EMR_RELEASES.get(releaseLabel);
}

/**
 * Like {@link emrReleaseRuntime}, for callers that run after config validation
 * (which already refused undeclared labels): an unknown label here is a bug.
 */
export function requireEmrReleaseRuntime(releaseLabel: string): EmrReleaseRuntime {
  const runtime = EMR_RELEASES.get(releaseLabel);
  if (runtime === undefined) {
    throw new Error(
      `EMR release ${releaseLabel} is not declared in ${AWS_RUNTIMES_FILE}; declared: ${SUPPORTED_EMR_RELEASE_LABELS.join(', ')}`,
    );
  }
  return runtime;
}

export const GLUE_RUNTIME: GlueRuntime = {
  glueVersion: declared.glue.version,
  sparkVersion: declared.glue.spark,
  pythonVersion: declared.glue.python,
};

/** MSK broker version a stage gets unless cdk.json sets `streaming.kafkaVersion`. */
export const MSK_KAFKA_VERSION: string = declared.msk.kafkaVersion;

/** Kafka Connect version of the MSK Connect connectors (`KafkaConnectVersion`). */
export const MSK_CONNECT_VERSION: string = declared.mskConnect.kafkaConnectVersion;

/** The `connect-api` release the connector plugins compile against (connectors/pom.xml). */
export const KAFKA_CONNECT_API_VERSION: string = declared.mskConnect.connectApiVersion;

/**
 * The Node.js Lambda runtime of every function the app defines. Resolved to
 * CDK's own Runtime object so bundling and deprecation checks know it; a name
 * this aws-cdk-lib does not know stops synth instead of deploying a guess.
 */
export const LAMBDA_NODEJS_RUNTIME: lambda.Runtime = knownNodejsRuntime(declared.lambda.nodejsRuntime);

/** esbuild's target for that runtime, e.g. 'node24' for nodejs24.x. */
export const LAMBDA_NODEJS_ESBUILD_TARGET = `node${nodejsMajor(LAMBDA_NODEJS_RUNTIME.name)}`;

/** '3.11.7' -> '3.11'. */
export function minorVersion(version: string): string {
  const match = /^(\d+)\.(\d+)(?:\.|$)/.exec(version);
  if (!match) throw new Error(`'${version}' is not a version of the form major.minor[.patch]`);
  return `${match[1]}.${match[2]}`;
}

function knownNodejsRuntime(name: string): lambda.Runtime {
  // NODEJS_LATEST carries the same name but is variable (CDK may move it); a pinned runtime is wanted.
  const runtime = lambda.Runtime.ALL.find(
    (candidate) =>
      candidate.name === name && candidate.family === lambda.RuntimeFamily.NODEJS && !candidate.isVariable,
  );
  if (runtime === undefined) {
    throw new Error(
      `${AWS_RUNTIMES_FILE}: lambda.nodejsRuntime '${name}' is not a Node.js runtime this aws-cdk-lib knows; ` +
        'use an identifier from the Lambda runtimes page (e.g. nodejs24.x) or upgrade aws-cdk-lib',
    );
  }
  return runtime;
}

function nodejsMajor(runtimeName: string): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtimeName);
  if (!match) throw new Error(`${AWS_RUNTIMES_FILE}: '${runtimeName}' is not of the form nodejs<major>.x`);
  return match[1];
}

// The default release must itself be declared, or every stage would fail validation.
requireEmrReleaseRuntime(DEFAULT_EMR_RELEASE_LABEL);
