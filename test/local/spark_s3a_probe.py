"""Run by test_ingest.py in its own process (its own JVM, whatever Spark session the test run has):
reads the raw zone through s3a:// on the twin's s3proxy, writes the lines as Parquet to the processed
bucket and reads them back. Prints one JSON object. Configuration comes only from `twin.py env`
variables, as the local Spark job's will.

    python spark_s3a_probe.py <output prefix in the processed bucket>
"""

from __future__ import annotations

import json
import os
import sys

from pyspark.sql import SparkSession


def main(output_prefix: str) -> None:
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("twin-s3a-probe")
        .config("spark.jars", os.environ["TWIN_S3A_JARS"])
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.hadoop.fs.s3a.endpoint", os.environ["TWIN_S3_ENDPOINT"])
        .config("spark.hadoop.fs.s3a.path.style.access", "true")
        .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
        .config("spark.hadoop.fs.s3a.access.key", os.environ["AWS_ACCESS_KEY_ID"])
        .config("spark.hadoop.fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
        .config(
            "spark.hadoop.fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        )
        .getOrCreate()
    )
    try:
        raw = spark.read.text(f"s3a://{os.environ['TWIN_RAW_BUCKET']}/transactions/")
        lines = sorted(row.value for row in raw.select("value").collect())
        target = f"s3a://{os.environ['TWIN_PROCESSED_BUCKET']}/{output_prefix}"
        raw.select("value").write.mode("overwrite").parquet(target)
        written = sorted(row.value for row in spark.read.parquet(target).collect())
    finally:
        spark.stop()
    print(json.dumps({"raw_lines": lines, "parquet_lines": written}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
