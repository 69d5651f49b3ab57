import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TwinSettings } from './settings';

/**
 * A SPARK_CONF_DIR whose spark-defaults.conf points s3a:// at s3proxy (the settings of
 * test/local/spark_s3a_probe.py). Both the unchanged ATM job and the unchanged warehouse load pick
 * it up; the s3a jars go on the driver class path so a job's own `spark.jars` (the JDBC driver)
 * does not replace them.
 */
export function writeSparkConf(settings: TwinSettings): string {
  const dir = path.join(settings.demoHome, 'spark-conf');
  fs.mkdirSync(dir, { recursive: true });
  const conf: Record<string, string> = {
    'spark.driver.extraClassPath': settings.s3aJars.join(':'),
    'spark.hadoop.fs.s3a.endpoint': settings.s3Endpoint,
    'spark.hadoop.fs.s3a.path.style.access': 'true',
    'spark.hadoop.fs.s3a.connection.ssl.enabled': 'false',
    'spark.hadoop.fs.s3a.access.key': process.env.AWS_ACCESS_KEY_ID ?? '',
    'spark.hadoop.fs.s3a.secret.key': process.env.AWS_SECRET_ACCESS_KEY ?? '',
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
    'spark.hadoop.fs.s3a.impl': 'org.apache.hadoop.fs.s3a.S3AFileSystem',
    'spark.sql.session.timeZone': 'UTC',
    'spark.driver.extraJavaOptions': '-Duser.timezone=UTC',
    'spark.driver.memory': process.env.DEMO_SPARK_MEMORY ?? '1g',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.driver.host': '127.0.0.1',
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': '4',
  };
  const text = Object.entries(conf)
    .map(([key, value]) => `${key} ${value}`)
    .join('\n');
  // Holds the s3proxy demo credentials: readable by the owner only.
  fs.writeFileSync(path.join(dir, 'spark-defaults.conf'), `${text}\n`, { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, 'log4j2.properties'),
    [
      'rootLogger.level = warn',
      'rootLogger.appenderRef.stdout.ref = console',
      'appender.console.type = Console',
      'appender.console.name = console',
      'appender.console.target = SYSTEM_ERR',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n',
      'logger.bankpipe.name = bankpipe',
      'logger.bankpipe.level = info',
      '',
    ].join('\n'),
  );
  return dir;
}

export function sparkEnv(settings: TwinSettings, confDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SPARK_CONF_DIR: confDir,
    PYSPARK_PYTHON: settings.python,
    PYSPARK_DRIVER_PYTHON: settings.python,
    PYTHONPATH: path.join(settings.repoRoot, 'spark-jobs'),
  };
}
