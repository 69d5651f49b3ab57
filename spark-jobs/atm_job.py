"""EMR step entry point of the ATM-transaction job.

    spark-submit [--py-files bankpipe.zip] spark-jobs/atm_job.py --input URI --output URI \\
        --quarantine URI --run-id ID [--customers URI] [--schema PATH] [--max-future-minutes N] [--now ISO]

All logic lives in the bankpipe package (bankpipe/job.py documents outputs and decisions). On EMR
the package arrives as a zip through --py-files (build it with ``python -m bankpipe.package``);
locally this script's folder is on sys.path, so the source package is used.
"""

from __future__ import annotations

import json
import logging
import sys

from pyspark.sql import SparkSession

from bankpipe.job import parse_args, run


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = parse_args(argv)
    spark = SparkSession.builder.appName(f"atm-job-{config.run_id}").getOrCreate()
    try:
        manifest = run(spark, config)
    finally:
        spark.stop()
    print(json.dumps({"run_id": manifest["run_id"], "counts": manifest["counts"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
