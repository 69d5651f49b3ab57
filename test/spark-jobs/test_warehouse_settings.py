"""Glue job arguments -> load settings and the warehouse login (the Glue entry point's only logic)."""

from __future__ import annotations

from datetime import date

import pytest

from bankpipe.warehouse_credentials import DbCredentials, WarehouseLogin
from bankpipe.warehouse_load import LoadOptions
from bankpipe.warehouse_settings import (
    load_options_from_args,
    present_options,
    target_from_credentials,
    warehouse_login_from_args,
)

SERVERLESS_ARGS = {
    "redshift_kind": "serverless",
    "redshift_database": "bank",
    "redshift_workgroup": "dev-bankpipe",
}


def test_serverless_login_from_the_job_arguments() -> None:
    assert warehouse_login_from_args(SERVERLESS_ARGS) == WarehouseLogin(
        "serverless", "bank", workgroup_name="dev-bankpipe"
    )


def test_provisioned_login_from_the_job_arguments() -> None:
    args = {"redshift_kind": "provisioned", "redshift_database": "bank", "redshift_cluster_id": "c1"}
    assert warehouse_login_from_args(args) == WarehouseLogin("provisioned", "bank", cluster_identifier="c1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {**SERVERLESS_ARGS, "redshift_kind": "cluster"},
            "--redshift_kind must be one of serverless, provisioned",
        ),
        ({**SERVERLESS_ARGS, "redshift_database": " "}, "--redshift_database <database name> is required"),
        ({**SERVERLESS_ARGS, "redshift_workgroup": ""}, "serverless needs --redshift_workgroup"),
        (
            {"redshift_kind": "provisioned", "redshift_database": "bank", "redshift_workgroup": "w"},
            "provisioned needs --redshift_cluster_id",
        ),
    ],
)
def test_incomplete_login_arguments_are_explained(args: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        warehouse_login_from_args(args)


def test_target_is_the_url_and_the_temporary_login() -> None:
    url = "jdbc:redshift://workgroup.123.eu-central-1.redshift-serverless.amazonaws.com:5439/bank"
    target = target_from_credentials(url, DbCredentials("IAMR:load-role", "temp-pw"))
    assert (target.url, target.user, target.password) == (url, "IAMR:load-role", "temp-pw")
    assert target.driver_class == "com.amazon.redshift.jdbc42.Driver"
    assert "temp-pw" not in repr(target)  # never logged by accident
    with pytest.raises(ValueError, match="--redshift_jdbc_url must look like jdbc:redshift://"):
        target_from_credentials("", DbCredentials("u", "p"))


def test_only_passed_optional_arguments_are_resolved() -> None:
    argv = [
        "job.py",
        "--JOB_NAME",
        "load",
        "--run_id",
        "r-1",
        "--dates=2024-01-01",
        "--processed_uri",
        "s3://b/p",
    ]
    assert present_options(argv, ["redshift_jdbc_url", "run_id", "dates", "refresh_reports"]) == [
        "run_id",
        "dates",
    ]


def test_load_options_from_glue_arguments() -> None:
    assert load_options_from_args({}) == LoadOptions()
    # Step Functions passes every argument, empty when unset.
    assert load_options_from_args({"run_id": " ", "dates": "", "refresh_reports": ""}) == LoadOptions()
    options = load_options_from_args(
        {
            "dates": "2024-01-02,2024-01-01",
            "refresh_reports": "true",
            "batch_size": "500",
            "write_partitions": "2",
        }
    )
    assert options == LoadOptions(
        dates=(date(2024, 1, 1), date(2024, 1, 2)), refresh_reports=True, batch_size=500, write_partitions=2
    )
    # What the state machine passes: only the run id. The run's next step refreshes the reports, once.
    from_state_machine = load_options_from_args({"run_id": "run-7"})
    assert from_state_machine.run_id == "run-7"
    assert from_state_machine.refresh_reports is False
    with pytest.raises(ValueError, match="--refresh_reports must be true or false"):
        load_options_from_args({"refresh_reports": "maybe"})
    with pytest.raises(ValueError, match="--batch_size must be at least 1"):
        load_options_from_args({"batch_size": "0"})
    with pytest.raises(ValueError, match="either --dates or --run-id"):
        load_options_from_args({"run_id": "r", "dates": "2024-01-01"})
