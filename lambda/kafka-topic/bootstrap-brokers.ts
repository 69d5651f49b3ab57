import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, type AwsCredentials } from './msk-iam-token';

/** Returns the cluster's SASL/IAM bootstrap string (comma-separated host:9098). */
export type BootstrapBrokerLookup = (clusterArn: string) => Promise<string>;

/** The part of `fetch` the lookup uses, so tests can stand in for the MSK API. */
export type HttpGet = (
  url: string,
  init: { headers: Record<string, string> },
) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

/**
 * Calls MSK's GetBootstrapBrokers (GET /v1/clusters/{arn}/bootstrap-brokers),
 * SigV4-signed with the Lambda's role. A hand-signed request because
 * `@aws-sdk/client-kafka` is not among the project's dependencies; the call
 * goes through the VPC's `kafka` interface endpoint (private DNS).
 */
export function mskBootstrapBrokerLookup(
  region: string,
  credentials: () => AwsCredentials,
  httpGet: HttpGet = (url, init) => fetch(url, init),
): BootstrapBrokerLookup {
  return async (clusterArn) => {
    const hostname = `kafka.${region}.amazonaws.com`;
    const signer = new SignatureV4({
      service: 'kafka',
      region,
      credentials: credentials(),
      sha256: NodeSha256,
    });
    const path = `/v1/clusters/${encodeURIComponent(clusterArn)}/bootstrap-brokers`;
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path,
      headers: { host: hostname, accept: 'application/json' },
    });
    const response = await httpGet(`https://${hostname}${path}`, { headers: signed.headers });
    const body = await response.text();
    if (response.status !== 200) {
      throw new Error(
        `GetBootstrapBrokers for ${clusterArn} failed with HTTP ${response.status}: ${body.slice(0, 500)}`,
      );
    }
    const brokers = (JSON.parse(body) as { bootstrapBrokerStringSaslIam?: string })
      .bootstrapBrokerStringSaslIam;
    if (!brokers) {
      throw new Error(
        `Cluster ${clusterArn} returned no SASL/IAM bootstrap brokers: enable IAM client authentication on the cluster`,
      );
    }
    return brokers;
  };
}
