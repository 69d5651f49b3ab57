import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { StatementRunner, StatementStatus } from '../../lambda/refresh-reports/refresh-reports';
import type { TwinSettings } from './settings';

const execFileAsync = promisify(execFile);

function psqlBinary(): string {
  return path.join(process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin', 'psql');
}

function psqlArgs(settings: TwinSettings): string[] {
  const { host, port, user, database } = settings.pg;
  return ['-h', host, '-p', port, '-U', user, '-d', database, '-X', '-q', '-v', 'ON_ERROR_STOP=1'];
}

function psqlEnv(settings: TwinSettings): NodeJS.ProcessEnv {
  return { ...process.env, PGPASSWORD: settings.pg.password, PGCONNECT_TIMEOUT: '10' };
}

export type Row = Record<string, string>;

/** Runs one query with psql and returns its rows (all values as text, NULL as ''). */
export async function queryWarehouse(settings: TwinSettings, sql: string): Promise<Row[]> {
  try {
    const { stdout } = await execFileAsync(psqlBinary(), [...psqlArgs(settings), '--csv', '-c', sql], {
      env: psqlEnv(settings),
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseCsv(stdout);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`warehouse query failed: ${sql.slice(0, 120)}\n${e.stderr ?? e.message}`);
  }
}

/** RFC 4180 CSV as psql --csv writes it: header line, quoted fields may hold commas, quotes, newlines. */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((values) => Object.fromEntries(header.map((name, i) => [name, values[i] ?? ''])));
}

/**
 * refresh-reports' StatementRunner on PostgreSQL: each statement runs in its own psql process
 * (asynchronous, like the Redshift Data API); describe reports its state. The client token
 * makes a resubmission return the statement already running, as on AWS.
 */
export function createPsqlStatementRunner(settings: TwinSettings): StatementRunner {
  const byToken = new Map<string, string>();
  const statements = new Map<string, StatementStatus>();
  let next = 0;
  return {
    async submit(sql: string, clientToken: string): Promise<string> {
      const known = byToken.get(clientToken);
      if (known !== undefined) return known;
      next += 1;
      const id = `psql-${process.pid}-${next}`;
      byToken.set(clientToken, id);
      statements.set(id, { state: 'STARTED' });
      const child = spawn(psqlBinary(), [...psqlArgs(settings), '-c', sql], {
        env: psqlEnv(settings),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (error) => statements.set(id, { state: 'FAILED', error: error.message }));
      child.on('close', (code) =>
        statements.set(id, code === 0 ? { state: 'FINISHED' } : { state: 'FAILED', error: stderr.trim() }),
      );
      return id;
    },
    async describe(statementId: string): Promise<StatementStatus> {
      const status = statements.get(statementId);
      if (!status) throw new Error(`unknown statement ${statementId}`);
      return status;
    },
  };
}
