"""Run by test_live_alerts.py in its own process (its own JVM): the batch's answer for the same lines.

Runs the ATM job (bankpipe.job.run, the EMR step's code) on local Spark over the JSON-lines files of
one folder and prints one JSON object: the alert keys of its fraud_flags report, as the rules file's
alert identity names them (rule, card, window start, window end; epoch seconds) with their ids.

    python batch_fraud_alerts.py <input folder> <work folder>
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession

from bankpipe.fraud import alert_keys
from bankpipe.fraud_rules import alert_id
from bankpipe.job import JobConfig, run


def main(input_dir: Path, work_dir: Path) -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("twin-live-alerts-batch-answer")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    try:
        output = work_dir / "processed"
        run(
            spark,
            JobConfig(
                input_uris=[str(input_dir)],
                output=str(output),
                quarantine=str(work_dir / "quarantine"),
                run_id="live-alerts-parity-1",
                now=datetime(2030, 1, 1, tzinfo=UTC),
            ),
        )
        keys = alert_keys(spark.read.parquet(str(output / "reports" / "fraud_flags")))
    finally:
        spark.stop()
    print(json.dumps({"alerts": sorted([*key, alert_id(key)] for key in keys)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
