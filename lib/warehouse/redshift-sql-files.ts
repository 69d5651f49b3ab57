import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One warehouse SQL file, split into the statements one BatchExecuteStatement runs as a transaction. */
export interface WarehouseSqlFile {
  readonly name: string;
  readonly statements: string[];
}

const FILE_NAME = /^(\d{3})_[a-z0-9_]+(\.redshift-only|\.if-absent)?\.sql$/;
const CREATE_GROUP_OR_ROLE = /^CREATE (GROUP|ROLE) [a-z_][a-z0-9_]*$/i;

/**
 * Reads `sql/redshift/NNN_*.sql` in NNN order, following the conventions of
 * spark-jobs/bankpipe/warehouse_sql.py (the local twin's runner), so both
 * apply the same statements:
 * - names are `NNN_name.sql`, `NNN_name.redshift-only.sql` or `NNN_name.if-absent.sql`
 *   (CREATE GROUP / CREATE ROLE statements, each run on its own and skipped when it exists), each number once;
 * - a statement ends with `;` at the end of a line; comment-only chunks are dropped;
 * - each other file is one transaction.
 * Whole-line `--` comments are left out of the statements: they would only
 * enlarge the template, and editing a comment should not re-run the files.
 * `.redshift-only` files are kept: this runs on Redshift.
 */
export function readWarehouseSqlFiles(directory: string): WarehouseSqlFile[] {
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    throw new Error(
      `Warehouse SQL folder ${directory} not found: the schema is created from sql/redshift/NNN_*.sql at deploy`,
    );
  }
  const names = fs
    .readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  if (names.length === 0) {
    throw new Error(
      `${directory} has no .sql files: add the warehouse DDL (NNN_name.sql) before synthesizing`,
    );
  }
  const seen = new Map<string, string>();
  return names.map((name) => {
    const match = FILE_NAME.exec(name);
    if (match === null) {
      throw new Error(
        `${path.join(directory, name)}: SQL file names must look like NNN_name.sql, NNN_name.redshift-only.sql ` +
          'or NNN_name.if-absent.sql ' +
          '(three digits, lower-case snake name); rename the file',
      );
    }
    const order = match[1] as string;
    const previous = seen.get(order);
    if (previous !== undefined) {
      throw new Error(
        `${name} and ${previous} share the number ${order}; give each file its own number so the order is explicit`,
      );
    }
    seen.set(order, name);
    const statements = splitStatements(fs.readFileSync(path.join(directory, name), 'utf8'), name);
    if (statements.length === 0) {
      throw new Error(`${name}: no SQL statement found; delete the file or add statements`);
    }
    if (match[2] === '.if-absent') {
      // The custom resource skips an "already exists" failure in these files: keep them to CREATE GROUP/ROLE.
      const other = statements.find(
        (statement) => !CREATE_GROUP_OR_ROLE.test(statement.replace(/\s+/g, ' ')),
      );
      if (other !== undefined) {
        throw new Error(
          `${name}: an .if-absent.sql file holds only 'CREATE GROUP name' statements (or 'CREATE ROLE name'), found ` +
            `${JSON.stringify(other.slice(0, 80))}; move it to an ordinary NNN_name.sql file`,
        );
      }
    }
    return { name, statements };
  });
}

/** Splits on `;` at the end of a line (not in a `--` comment line); the trailing `;` is removed. */
export function splitStatements(text: string, source: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    current.push(line);
    if (line.trimEnd().endsWith(';') && !line.trimStart().startsWith('--')) {
      const chunk = current.join('\n').trimEnd().slice(0, -1).trim();
      current = [];
      const code = chunk
        .split('\n')
        .filter((part) => !isCommentOrBlank(part))
        .join('\n');
      if (code !== '') statements.push(code);
    }
  }
  if (current.some((line) => !isCommentOrBlank(line))) {
    throw new Error(
      `${source}: the last statement does not end with ';' at the end of a line; ` +
        'terminate every statement with ; so the deploy-time custom resource splits it',
    );
  }
  return statements;
}

const CREATE_MATERIALIZED_VIEW = /^CREATE\s+MATERIALIZED\s+VIEW\b/i;

/**
 * The files that create materialized views: the report files. Redshift lets only a materialized
 * view's owner refresh it, so these run as the reports identity that refreshes them; every other
 * file runs as the schema identity (docs/adr/0002-warehouse-identities.md).
 */
export function isReportFile(file: WarehouseSqlFile): boolean {
  return file.statements.some((statement) => CREATE_MATERIALIZED_VIEW.test(statement.trim()));
}

/** The files split by who applies them: the schema custom resource, or the reports one. */
export function splitSchemaAndReportFiles(files: readonly WarehouseSqlFile[]): {
  schema: WarehouseSqlFile[];
  reports: WarehouseSqlFile[];
} {
  return {
    schema: files.filter((file) => !isReportFile(file)),
    reports: files.filter((file) => isReportFile(file)),
  };
}

/**
 * A batch creating database users that must exist before anyone signs in as them with
 * GetClusterCredentials (provisioned): Redshift has no CREATE USER IF NOT EXISTS, so it is an
 * `.if-absent` batch (each statement on its own, "already exists" skipped). PASSWORD DISABLE: the
 * user can only sign in with temporary IAM credentials.
 */
export function databaseUsersFile(users: readonly string[]): WarehouseSqlFile {
  for (const user of users) {
    if (!/^[a-z_][a-z0-9_]*$/.test(user)) {
      throw new Error(`Database user name ${JSON.stringify(user)} must be a lower-case SQL identifier`);
    }
  }
  return {
    name: '000_database_users.if-absent.sql',
    statements: users.map((user) => `CREATE USER ${user} PASSWORD DISABLE`),
  };
}

/** A short hash of the files' names and statements: a custom-resource property, so any SQL change re-runs the files. */
export function sqlFilesHash(files: readonly WarehouseSqlFile[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
}

function isCommentOrBlank(line: string): boolean {
  const stripped = line.trim();
  return stripped === '' || stripped.startsWith('--');
}
