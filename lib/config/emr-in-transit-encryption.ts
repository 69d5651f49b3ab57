import { ConfigError } from './config-error';
import type { StageConfig } from './stage-config';

/** Where the EMR certificate zip is configured, below `stages.<stage>` in cdk.json. */
export const EMR_TLS_ZIP_SETTING = 'processing.emrTlsCertificatesZipKey';

/** Stages that must encrypt traffic between EMR nodes: synth fails without certificates. */
export const STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION: readonly string[] = ['prod'];

/** An S3 object key of a zip: no leading slash, no blanks, ending in `.zip`. */
const ZIP_KEY_PATTERN = /^[^/\s][^\s]*\.zip$/;

/** How to produce and register the certificate zip, for errors and warnings. */
export function emrTlsCertificatesHowTo(stage: string): string {
  return (
    `have the bank's PKI issue a certificate for *.<region>.compute.internal, or *.ec2.internal in us-east-1 (the private DNS names of the cluster nodes) ` +
    'and write it as PEM files named privateKey.pem, certificateChain.pem and trustedCertificates.pem; ' +
    'zip them without folders (zip -j emr-tls.zip privateKey.pem certificateChain.pem trustedCertificates.pem), ' +
    'upload the zip to the artifacts bucket (e.g. under emr-tls/), and set ' +
    `stages.${stage}.${EMR_TLS_ZIP_SETTING} in cdk.json to its key, e.g. "emr-tls/emr-tls.zip"`
  );
}

/** Checks the form of the certificate zip setting: an S3 key of a zip. */
export function checkEmrTlsCertificatesZipKey(key: string, zipKey: unknown): void {
  if (typeof zipKey !== 'string' || !ZIP_KEY_PATTERN.test(zipKey)) {
    throw new ConfigError(
      key,
      `${JSON.stringify(zipKey)} is not the key of a zip in the artifacts bucket`,
      'use an S3 object key without a leading slash that ends in .zip, e.g. "emr-tls/emr-tls.zip"',
    );
  }
}

/** Refuses a stage that must encrypt traffic between EMR nodes but has no certificate zip. */
export function requireEmrTlsWhereMandatory(key: string, zipKey: string | undefined, stage: string): void {
  if (zipKey === undefined && STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION.includes(stage)) {
    throw new ConfigError(
      key,
      `${stage} has no EMR in-transit encryption certificates, so Spark traffic between the cluster nodes would be unencrypted`,
      emrTlsCertificatesHowTo(stage),
    );
  }
}

/** The synth-time warning for a stage that runs EMR without in-transit encryption, if it does. */
export function emrInTransitEncryptionWarning(config: StageConfig): string | undefined {
  if (config.processing.emrTlsCertificatesZipKey !== undefined) return undefined;
  return (
    `WARNING stage '${config.stage}': EMR in-transit encryption between cluster nodes is OFF because ` +
    `stages.${config.stage}.${EMR_TLS_ZIP_SETTING} is not set. To turn it on: ${emrTlsCertificatesHowTo(config.stage)}.`
  );
}
