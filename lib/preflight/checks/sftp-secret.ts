import { requiredSftpSecretKeys, SFTP_SECRET_KEYS } from '../../../connectors/connector-config';
import type { StageConfig } from '../../config';
import type { PreflightAws } from '../aws-ports';
import { describeError, fail, pass, type CheckResult } from '../check-result';

export const SFTP_SECRET_CHECK = 'SFTP log-server secret';

/** What an operator writes for each key; the source reads every value as text. */
const PLACEHOLDERS: Record<string, string> = {
  [SFTP_SECRET_KEYS.host]: '<sftp host>',
  [SFTP_SECRET_KEYS.port]: '22',
  [SFTP_SECRET_KEYS.username]: '<user>',
  [SFTP_SECRET_KEYS.password]: '<password>',
  [SFTP_SECRET_KEYS.privateKey]: '<OpenSSH private key>',
  [SFTP_SECRET_KEYS.knownHosts]: '<output of ssh-keyscan -p 22 <sftp host>>',
};

/** The secret value a command line shows, with every key the source reads. */
export function placeholderSecretJson(keys: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(keys.map((key) => [key, PLACEHOLDERS[key] ?? `<${key}>`])));
}

/**
 * The source connector reads its whole SFTP connection from this secret when it
 * starts, after the ~30-minute MSK create: a missing secret or key fails the
 * streaming stack late. Only key names are read out, never values.
 */
export async function checkSftpSecret(aws: PreflightAws, config: StageConfig): Promise<CheckResult> {
  const { sftpSecretName: name, useTransferFamily } = config.streaming;
  if (useTransferFamily) {
    return pass(SFTP_SECRET_CHECK, `${name} is created by the streaming stack (streaming.useTransferFamily)`);
  }
  const keys = requiredSftpSecretKeys('password');
  const secretString = `'${placeholderSecretJson(keys)}'`;
  let value: string | undefined;
  try {
    value = await aws.secretString(name);
  } catch (error) {
    return fail(
      SFTP_SECRET_CHECK,
      `could not read ${name}: ${describeError(error)}`,
      `allow secretsmanager:GetSecretValue on ${name} for this caller, or check it in the console`,
    );
  }
  if (value === undefined) {
    return fail(
      SFTP_SECRET_CHECK,
      `${name} does not exist in ${aws.region}; the source connector needs it (keys ${keys.join(', ')})`,
      `aws secretsmanager create-secret --region ${aws.region} --name ${name} --secret-string ${secretString}`,
    );
  }
  const missing = missingKeys(value, keys);
  if (missing.length > 0) {
    return fail(
      SFTP_SECRET_CHECK,
      `${name} lacks ${missing.join(', ')} (it must be a JSON object with ${keys.join(', ')}, none empty)`,
      `aws secretsmanager put-secret-value --region ${aws.region} --secret-id ${name} --secret-string ${secretString}`,
    );
  }
  return pass(SFTP_SECRET_CHECK, `${name} has ${keys.join(', ')}`);
}

function missingKeys(secretString: string, keys: readonly string[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [...keys];
  const fields = parsed as Record<string, unknown>;
  return keys.filter((key) => fields[key] === undefined || fields[key] === null || fields[key] === '');
}
