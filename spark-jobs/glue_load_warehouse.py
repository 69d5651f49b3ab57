"""Glue job (Glue 5.0, Spark 3.5): load processed transactions into Redshift.

Thin entry point: reads the job arguments and gets temporary database credentials, then runs the same
bankpipe.warehouse_load.load_transactions the local twin and the tests run against PostgreSQL.

How it reaches Redshift, and why:
- Rows: Spark's JDBC writer with the Redshift JDBC driver (jar passed with --extra-jars) appends to
  banking.stg_transactions. Same writer as the local twin, so the tested path is the deployed path.
- Statements (TRUNCATE, MERGE in one transaction): a JDBC connection from the driver JVM,
  same driver and credentials. The Data API would need a second client and a polling loop, and its
  transactions are only per-batch; JDBC keeps the load a single code path.
- Credentials: temporary ones for the job's own IAM role (bankpipe.warehouse_credentials:
  serverless GetCredentials, provisioned GetClusterCredentials), valid for an hour; the login has
  the loader grants of sql/redshift and nothing more. No stored password, no admin secret.
- Network: the job is attached to a Glue connection of type NETWORK in the Redshift VPC subnets,
  which gives it ENIs that can reach the warehouse (and, through VPC endpoints, S3 and Redshift).

Arguments (Glue passes them as --name value):
  required  --processed_uri s3://bucket/processed   --redshift_jdbc_url jdbc:redshift://host:5439/db
            --redshift_kind serverless|provisioned  --redshift_database <db>
            --redshift_workgroup <name> (serverless)  |  --redshift_cluster_id <id> (provisioned)
  optional  --run_id <run>  |  --dates 2024-01-01,2024-01-02   (default: all partitions)
            --refresh_reports true|false (default false: the state machine's Refresh reports step
            refreshes them once after this job)  --batch_size 10000  --write_partitions 4
"""

from __future__ import annotations

import json
import logging
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from bankpipe.warehouse_credentials import temporary_credentials
from bankpipe.warehouse_jdbc import JdbcSqlExecutor
from bankpipe.warehouse_load import load_transactions
from bankpipe.warehouse_settings import (
    load_options_from_args,
    present_options,
    target_from_credentials,
    warehouse_login_from_args,
)

REQUIRED_ARGS = ["JOB_NAME", "processed_uri", "redshift_jdbc_url", "redshift_kind", "redshift_database"]
OPTIONAL_ARGS = [
    "redshift_workgroup",
    "redshift_cluster_id",
    "run_id",
    "dates",
    "refresh_reports",
    "batch_size",
    "write_partitions",
]


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = getResolvedOptions(sys.argv, REQUIRED_ARGS + present_options(sys.argv, OPTIONAL_ARGS))
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    job = Job(glue_context)
    job.init(args["JOB_NAME"], args)

    credentials = temporary_credentials(warehouse_login_from_args(args), boto3.client)
    target = target_from_credentials(args["redshift_jdbc_url"], credentials)

    result = load_transactions(
        spark,
        args["processed_uri"],
        target,
        JdbcSqlExecutor(spark, target),
        load_options_from_args(args),
    )
    # One JSON line in the job's output log: what the orchestration and operators look at.
    print(json.dumps({"warehouse_load": result.as_dict()}))
    job.commit()


if __name__ == "__main__":
    main()
