import { requireEmrReleaseRuntime } from '../config/aws-runtimes';

/** One EMR configuration object, in the RunJobFlow (and Step Functions createCluster) casing. */
export interface EmrConfiguration {
  readonly Classification: string;
  readonly Properties?: Record<string, string>;
  readonly Configurations?: EmrConfiguration[];
}

/**
 * The cluster configurations that make PySpark run the Python declared for this
 * release in lib/config/aws-runtimes.json instead of EMR's default
 * /usr/bin/python3 (3.9 on EMR 7.x, too old for the ATM job).
 *
 * AWS documents the `spark-env` classification with an `export` of
 * PYSPARK_PYTHON for this. It reaches every Python process of a step submitted
 * with `--deploy-mode cluster`: spark-submit sources spark-env.sh, Spark's YARN
 * client copies PYSPARK_PYTHON into the application master's environment (where
 * the driver runs), and the driver hands that interpreter path to the executors
 * with every Python function, so executors start the same interpreter on the
 * core nodes.
 */
export function pysparkPythonConfigurations(releaseLabel: string): EmrConfiguration[] {
  const { pythonInterpreter } = requireEmrReleaseRuntime(releaseLabel);
  return [
    {
      Classification: 'spark-env',
      Configurations: [{ Classification: 'export', Properties: { PYSPARK_PYTHON: pythonInterpreter } }],
    },
  ];
}
