"""Glue job arguments and the Redshift secret -> load settings (the Glue entry point's only logic)."""

from __future__ import annotations

from datetime import date

import pytest

from bankpipe.warehouse_load import LoadOptions
from bankpipe.warehouse_settings import (
    load_options_from_args,
    parse_secret_string,
    present_options,
    target_from_secret,
)

SECRET = {
    "username": "loader",
    "password": "s3cret-value",
    "host": "bank.abc123.eu-west-1.redshift.amazonaws.com",
    "port": 5439,
    "dbname": "bank",
    "engine": "redshift",
}


def test_url_is_built_from_the_secret() -> None:
    target = target_from_secret(SECRET)
    assert target.url == "jdbc:redshift://bank.abc123.eu-west-1.redshift.amazonaws.com:5439/bank"
    assert (target.user, target.password) == ("loader", "s3cret-value")
    assert target.driver_class == "com.amazon.redshift.jdbc42.Driver"
    assert "s3cret-value" not in repr(target)  # never logged by accident


def test_explicit_url_wins_and_host_is_then_optional() -> None:
    url = "jdbc:redshift://workgroup.123.eu-west-1.redshift-serverless.amazonaws.com:5439/dev"
    target = target_from_secret({"username": "admin", "password": "pw"}, url)
    assert target.url == url


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ({"password": "pw", "host": "h", "dbname": "d"}, "lacks username"),
        ({"username": "u", "password": "", "host": "h", "dbname": "d"}, "lacks password"),
        ({"username": "u", "password": "pw"}, "no host/dbname; pass --redshift_jdbc_url"),
    ],
)
def test_incomplete_secret_is_explained(secret: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        target_from_secret(secret)


def test_secret_string_must_be_a_json_object() -> None:
    assert parse_secret_string('{"username": "u"}') == {"username": "u"}
    with pytest.raises(ValueError, match="arn:x is not JSON"):
        parse_secret_string("username=u", "arn:x")
    with pytest.raises(ValueError, match="JSON object"):
        parse_secret_string('["u"]')


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
