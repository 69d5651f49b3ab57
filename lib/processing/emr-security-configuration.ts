import { createHash } from 'node:crypto';
import { Lazy, Stack } from 'aws-cdk-lib';
import * as emr from 'aws-cdk-lib/aws-emr';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EmrSecurityConfigurationProps {
  /** The pipeline key: S3 (EMRFS) SSE-KMS and local disk / EBS encryption. */
  readonly dataKey: kms.IKey;
  /**
   * `s3://` URI of a zip of PEM files (privateKey.pem, certificateChain.pem,
   * trustedCertificates.pem) issued by the bank's PKI for `*.<region>.compute.internal` (`*.ec2.internal` in us-east-1).
   * When given, in-transit encryption between the cluster's nodes is turned on.
   * @default undefined: in-transit encryption between nodes is off (allowed outside prod only; see the class comment)
   */
  readonly tlsCertificatesZipUri?: string;
}

/**
 * The EMR security configuration every per-run cluster uses.
 *
 * - At rest: EMRFS writes to S3 with SSE-KMS under the pipeline key; local
 *   disks (instance store and EBS, root volume included) are encrypted with a
 *   key from KMS (LUKS + EBS encryption).
 * - IMDSv2 only, hop limit 1: a process on a node cannot reach the instance
 *   credentials through IMDSv1, nor from a container behind an extra hop.
 * - In transit: every call to S3 and the AWS APIs is TLS already. Node-to-node
 *   TLS (Spark RPC, shuffle, YARN web UIs) needs a certificate zip in S3 or a
 *   custom Java provider; the bank's certificates are issued by its own PKI,
 *   and a self-signed one generated here would put a private key into the
 *   cloud assembly. The zip's key is the stage setting
 *   `processing.emrTlsCertificatesZipKey`: prod refuses to synth without it,
 *   other stages run without node-to-node TLS and synth prints a warning.
 *   cdk-nag's EMR in-transit rule (AwsSolutions-EMR4) checks `AWS::EMR::Cluster`
 *   resources, which this app never creates (Step Functions creates the
 *   cluster per run), so the stage setting is what enforces it.
 *
 * The name is derived from the configuration: `<stack name>-<hash of the
 * document>`. A security configuration cannot be updated, so any change
 * replaces it and needs a new name; deriving the name from the document gives
 * it one, and hands the consumer (the run state machine, in another stack) the
 * name itself rather than a cross-stack reference that would keep the old
 * name. A change of the document changes both templates.
 */
export class EmrSecurityConfiguration extends Construct {
  readonly resource: emr.CfnSecurityConfiguration;
  /** The derived name clusters refer to: a plain string in every stack that uses it. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: EmrSecurityConfigurationProps) {
    super(scope, id);
    this.resource = new emr.CfnSecurityConfiguration(this, 'Resource', {
      securityConfiguration: emrSecurityConfigurationDocument(
        props.dataKey.keyArn,
        props.tlsCertificatesZipUri,
      ),
    });
    const stack = Stack.of(this);
    // Uncached: computed when each template is written, from the document as it is then.
    this.name = Lazy.uncachedString({
      produce: () =>
        `${stack.stackName}-emr-${documentHash(stack.resolve(this.resource.securityConfiguration))}`,
    });
    this.resource.name = this.name;
  }
}

/** The security configuration JSON (the EMR `create-security-configuration` format). */
export function emrSecurityConfigurationDocument(
  keyArn: string,
  tlsCertificatesZipUri?: string,
): Record<string, unknown> {
  const inTransit =
    tlsCertificatesZipUri === undefined
      ? { EnableInTransitEncryption: false }
      : {
          EnableInTransitEncryption: true,
          InTransitEncryptionConfiguration: {
            TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: tlsCertificatesZipUri },
          },
        };
  return {
    EncryptionConfiguration: {
      EnableAtRestEncryption: true,
      ...inTransit,
      AtRestEncryptionConfiguration: {
        S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: keyArn },
        LocalDiskEncryptionConfiguration: {
          EncryptionKeyProviderType: 'AwsKms',
          AwsKmsKey: keyArn,
          EnableEbsEncryption: true,
        },
      },
    },
    InstanceMetadataServiceConfiguration: {
      MinimumInstanceMetadataServiceVersion: 2,
      HttpPutResponseHopLimit: 1,
    },
  };
}

/** A short hash of the synthesized security configuration document. */
function documentHash(resolvedDocument: unknown): string {
  return createHash('sha256').update(JSON.stringify(resolvedDocument)).digest('hex').slice(0, 12);
}
