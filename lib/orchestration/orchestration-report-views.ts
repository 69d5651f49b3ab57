import * as fs from 'node:fs';
import * as path from 'node:path';

const CREATE_MATERIALIZED_VIEW =
  /^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)/gim;

/**
 * The materialized views the warehouse SQL creates, in file order (which is the
 * order they depend on each other), read from `sql/redshift/NNN_*.sql`.
 *
 * Derived rather than listed by hand so the refresh after each load always
 * matches the schema the warehouse stack deploys: adding a report's SQL file is
 * enough for it to be refreshed.
 */
export function materializedViewsIn(sqlDirectory: string): string[] {
  if (!fs.existsSync(sqlDirectory)) {
    throw new Error(
      `Warehouse SQL folder ${sqlDirectory} not found: the report refresh reads the materialized views from sql/redshift/*.sql`,
    );
  }
  const files = fs
    .readdirSync(sqlDirectory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const views: string[] = [];
  for (const file of files) {
    const text = stripLineComments(fs.readFileSync(path.join(sqlDirectory, file), 'utf8'));
    for (const match of text.matchAll(CREATE_MATERIALIZED_VIEW)) {
      const view = match[1].toLowerCase();
      if (!views.includes(view)) views.push(view);
    }
  }
  if (views.length === 0) {
    throw new Error(
      `No CREATE MATERIALIZED VIEW found in ${sqlDirectory}/*.sql: the run's last step refreshes the reporting views; add them or pass reportViews explicitly`,
    );
  }
  return views;
}

function stripLineComments(sql: string): string {
  return sql
    .split(/\r?\n/)
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
}
