import { createHash, createHmac } from 'node:crypto';
import { PROJECT_SLUG } from '../../lib/shared/pipeline-layout';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

/** AWS credentials as Lambda provides them in its environment. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** MSK validates the signed URL for this long; kafkajs asks for a fresh token on every (re)authentication. */
const TOKEN_LIFETIME_SECONDS = 900;
const USER_AGENT = `${PROJECT_SLUG}-kafka-topic/1.0`;

/**
 * Builds the SASL/OAUTHBEARER token MSK IAM authentication accepts: a SigV4
 * presigned `kafka-cluster:Connect` request to the regional MSK endpoint,
 * base64url-encoded. The tests check it equal, parameter for parameter, to the
 * token of AWS's own signer (`aws-msk-iam-sasl-signer-js`, a dev dependency):
 * that package is not used here because it would bundle a second, older
 * `@smithy/signature-v4` and reach for STS and the credential-provider chain,
 * where the execution role's variables are all this handler needs.
 */
export async function createMskIamToken(
  region: string,
  credentials: AwsCredentials,
  now: Date = new Date(),
): Promise<string> {
  const hostname = `kafka.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'kafka-cluster',
    region,
    credentials,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname },
      query: { Action: 'kafka-cluster:Connect' },
    },
    { expiresIn: TOKEN_LIFETIME_SECONDS, signingDate: now },
  );
  const query = { ...signed.query, 'User-Agent': USER_AGENT };
  const queryString = Object.entries(query)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const url = `https://${hostname}/?${queryString}`;
  return Buffer.from(url, 'utf8').toString('base64url');
}

/** Credentials of the Lambda's execution role, from the variables the runtime sets. */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set: run inside Lambda or export credentials',
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken };
}

function toBytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape SignatureV4 expects. */
export class NodeSha256 {
  private readonly hash;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}
