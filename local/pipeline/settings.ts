import * as path from 'node:path';
import { REPO_ROOT } from '../../lib/shared/repo-root';

/** The Athena stand-in (DuckDB), a Python service of the twin: the crawler's and Athena's jobs. */
export const ATHENA_STANDIN_SCRIPT = path.join(REPO_ROOT, 'local', 'services', 'athena_standin.py');

/** Where the twin's services are and where the demo keeps its own state; read from `local/twin.py env`. */
export interface TwinSettings {
  readonly repoRoot: string;
  readonly twinHome: string;
  /** The demo's own state (run ledger, Athena stand-in, mirror, generator truth) under TWIN_HOME. */
  readonly demoHome: string;
  readonly s3Endpoint: string;
  readonly rawBucket: string;
  readonly processedBucket: string;
  readonly quarantineBucket: string;
  readonly kafkaBootstrap: string;
  readonly connectUrl: string;
  readonly sftpDropDir: string;
  readonly s3aJars: string[];
  readonly pg: {
    readonly host: string;
    readonly port: string;
    readonly user: string;
    readonly password: string;
    readonly database: string;
    readonly jdbcUrl: string;
  };
  readonly python: string;
  /** Fault injection for the twin's tests; never part of the product's AWS code path. */
  readonly faults: TwinFaults;
}

export interface TwinFaults {
  /**
   * TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT=1: the ATM job step of every hour's first attempt fails after
   * the job has written its outputs (as when EMR loses the step's status), so the retry has to
   * replace them exactly once.
   */
  readonly failJobStepOnFirstAttempt: boolean;
}

/** Reads the settings; every missing variable is named, with the command that provides it. */
export function twinSettings(env: NodeJS.ProcessEnv = process.env): TwinSettings {
  const missing: string[] = [];
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') missing.push(name);
    return value ?? '';
  };
  const twinHome = path.resolve(env.TWIN_HOME ?? path.join(REPO_ROOT, '.local', 'twin'));
  const settings: TwinSettings = {
    repoRoot: REPO_ROOT,
    twinHome,
    demoHome: path.join(twinHome, 'demo'),
    s3Endpoint: need('TWIN_S3_ENDPOINT'),
    rawBucket: need('TWIN_RAW_BUCKET'),
    processedBucket: need('TWIN_PROCESSED_BUCKET'),
    quarantineBucket: need('TWIN_QUARANTINE_BUCKET'),
    kafkaBootstrap: need('TWIN_KAFKA_BOOTSTRAP'),
    connectUrl: need('TWIN_CONNECT_URL'),
    sftpDropDir: need('TWIN_SFTP_DROP_DIR'),
    s3aJars: need('TWIN_S3A_JARS').split(',').filter(Boolean),
    pg: {
      host: need('TWIN_PG_HOST'),
      port: need('TWIN_PG_PORT'),
      user: need('TWIN_PG_USER'),
      password: need('TWIN_PG_PASSWORD'),
      database: need('TWIN_PG_DATABASE'),
      jdbcUrl: need('TWIN_PG_JDBC_URL'),
    },
    python: env.TWIN_PYTHON ?? path.join(REPO_ROOT, '.local', 'venv', 'bin', 'python'),
    faults: { failJobStepOnFirstAttempt: flag(env, 'TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT') },
  };
  need('AWS_ACCESS_KEY_ID');
  need('AWS_SECRET_ACCESS_KEY');
  if (missing.length > 0) {
    throw new Error(
      `missing environment: ${missing.join(', ')}. Start the twin and load its endpoints first: ` +
        'local/twin.py start && source <(local/twin.py env)',
    );
  }
  return settings;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`${name} must be 1 (on) or 0 (off); got ${JSON.stringify(value)}`);
}
