import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../shared/repo-root';

/** Where scripts/setup.sh puts the Redshift JDBC driver that the load job ships with. */
export const REDSHIFT_JDBC_JAR_DIR = path.join(REPO_ROOT, '.local', 'jars');

/** The Redshift JDBC driver fetched by spark-jobs/jdbc/pom.xml (scripts/setup.sh). */
export function findRedshiftJdbcDriver(jarDir: string): string {
  const jars = fs.existsSync(jarDir)
    ? fs.readdirSync(jarDir).filter((f) => /^redshift-jdbc42-[\d.]+\.jar$/.test(f))
    : [];
  if (jars.length !== 1) {
    throw new Error(
      `expected one redshift-jdbc42-<version>.jar in ${jarDir}, found ${jars.length === 0 ? 'none' : jars.join(', ')}: ` +
        'run scripts/setup.sh (it fetches the driver pinned in spark-jobs/jdbc/pom.xml) before synthesizing',
    );
  }
  return path.join(jarDir, jars[0] as string);
}
