"""storage (run-scoped publishing on the Hadoop FileSystem API) and manifest (counts, invariant)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bankpipe.manifest import (
    ReconciliationError,
    RunCounts,
    build_manifest,
    check_written,
    count_dispositions,
    manifest_json,
    reconcile,
)
from bankpipe.storage import (
    HadoopFs,
    codec_of_spark_file,
    has_json_files,
    has_parquet_files,
    normalise_uri,
    publish_run_files,
    run_file_name,
    run_of_file,
    validate_run_id,
)

# ---- storage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("run_id", ["run-1", "2024.01.31T22", "a.snappy", "x_y-z.9"])
def test_run_ids_survive_the_file_name(run_id):
    assert run_of_file(run_file_name(3, run_id, "snappy")) == run_id
    assert run_of_file(run_file_name(0, run_id, "none")) == run_id


def test_other_files_have_no_run():
    assert run_of_file("part-00000-0c0f-4b1e.c000.snappy.parquet") is None
    assert run_of_file("_SUCCESS") is None


def test_codec_is_read_from_spark_file_names():
    spark_name = "part-00000-1f2e3d4c-aaaa-bbbb-cccc-123456789abc.c000"
    assert codec_of_spark_file(f"{spark_name}.snappy.parquet") == "snappy"
    assert codec_of_spark_file(f"{spark_name}.parquet") == "none"


def test_run_ids_that_cannot_be_file_names_are_refused():
    assert validate_run_id("run-2024-01-31T22.1") == "run-2024-01-31T22.1"
    for bad in ("", "a/b", "run id", "-x", "a=b", "x" * 129):
        with pytest.raises(ValueError, match="run id"):
            validate_run_id(bad)


def test_local_paths_become_file_uris_without_percent_encoding(tmp_path):
    folder = tmp_path / "year=2024" / "hour=22"
    assert normalise_uri(str(folder)) == f"file://{folder}"
    assert normalise_uri("s3://bucket/raw/") == "s3://bucket/raw"


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_publishing_replaces_only_the_files_of_the_same_run(spark, tmp_path):
    fs = HadoopFs(spark)
    dataset = tmp_path / "transactions"
    other_run = touch(dataset / "txn_date=2024-01-31" / run_file_name(0, "run-a", "snappy"), "a")
    stale = touch(dataset / "txn_date=2024-01-30" / run_file_name(0, "run-b", "snappy"), "old b")
    staging = tmp_path / "_staging" / "run-b"
    touch(staging / "txn_date=2024-01-31" / "part-00001-u1.c000.snappy.parquet", "new b 1")
    touch(staging / "txn_date=2024-01-31" / "part-00000-u2.c000.snappy.parquet", "new b 0")
    touch(staging / "txn_date=2024-02-01" / "part-00000-u3.c000.snappy.parquet", "new b 2")
    touch(staging / "_SUCCESS", "")

    published = publish_run_files(fs, f"file://{staging}", f"file://{dataset}", "run-b")

    assert other_run.read_text() == "a"
    assert not stale.exists()
    assert not staging.exists()
    files = sorted(str(path.relative_to(dataset)) for path in dataset.rglob("*.parquet"))
    assert files == [
        "txn_date=2024-01-31/part-00000.run-run-a.snappy.parquet",
        "txn_date=2024-01-31/part-00000.run-run-b.snappy.parquet",
        "txn_date=2024-01-31/part-00001.run-run-b.snappy.parquet",
        "txn_date=2024-02-01/part-00000.run-run-b.snappy.parquet",
    ]
    assert (dataset / "txn_date=2024-01-31" / "part-00000.run-run-b.snappy.parquet").read_text() == "new b 0"
    assert len(published) == 3


def test_parquet_detection_ignores_hidden_files(spark, tmp_path):
    fs = HadoopFs(spark)
    assert not has_parquet_files(fs, f"file://{tmp_path / 'missing'}")
    touch(tmp_path / "d" / "_SUCCESS")
    touch(tmp_path / "d" / ".part-0.parquet.crc")
    assert not has_parquet_files(fs, f"file://{tmp_path / 'd'}")
    touch(tmp_path / "d" / "x=1" / "part-0.parquet")
    assert has_parquet_files(fs, f"file://{tmp_path / 'd'}")


def test_json_detection_ignores_hidden_files(spark, tmp_path):
    fs = HadoopFs(spark)
    assert not has_json_files(fs, f"file://{tmp_path / 'missing'}")
    touch(tmp_path / "q" / "run_id=r1" / "_SUCCESS")
    touch(tmp_path / "q" / "run_id=r1" / ".part-0.json.crc")
    touch(tmp_path / "q" / "run_id=r1" / "part-0.parquet")
    assert not has_json_files(fs, f"file://{tmp_path / 'q'}")
    touch(tmp_path / "q" / "run_id=r1" / "part-00000-x-c000.json")
    assert has_json_files(fs, f"file://{tmp_path / 'q'}")


def test_text_round_trip_through_hadoop(spark, tmp_path):
    fs = HadoopFs(spark)
    uri = f"file://{tmp_path}/_manifest/run-1.json"
    fs.write_text(uri, '{"ä": 1}\n')
    assert fs.read_text(uri) == '{"ä": 1}\n'
    assert fs.exists(uri)


# ---- manifest --------------------------------------------------------------------------------------


def counts(**changes) -> RunCounts:
    values = {
        "read": 11,
        "valid": 6,
        "quarantined": 2,
        "duplicates_in_run": 1,
        "duplicates_of_processed": 1,
        "duplicates_of_quarantined": 1,
        "duplicate_bad_lines": 2,
        "blank_lines_skipped": 3,
        "quarantined_by_reason": {"malformed_json": 1, "invalid_enum:channel": 1},
    }
    values.update(changes)
    return RunCounts(**values)


def test_reconcile_accepts_counts_that_add_up():
    reconcile(counts())
    assert counts().duplicates == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"read": 12}, "read=12 but valid\\+quarantined\\+duplicates=11"),
        ({"valid": 5}, "read=11 but"),
        ({"duplicates_of_quarantined": 0}, "read=11 but valid\\+quarantined\\+duplicates=10"),
        ({"duplicate_bad_lines": 4}, "duplicate_bad_lines=4 exceeds duplicates=3"),
        ({"duplicate_bad_lines": -1}, "negative count"),
        ({"quarantined_by_reason": {"malformed_json": 1}}, "per-reason counts add up to 1"),
    ],
)
def test_reconcile_fails_loudly(changes, message):
    with pytest.raises(ReconciliationError, match=message):
        reconcile(counts(**changes))


def test_written_rows_must_equal_counted_rows():
    check_written(counts(), written_transactions=6, written_quarantine=2)
    with pytest.raises(ReconciliationError, match="5 transactions were written but 6"):
        check_written(counts(), written_transactions=5, written_quarantine=2)
    with pytest.raises(ReconciliationError, match="quarantine"):
        check_written(counts(), written_transactions=6, written_quarantine=0)


def test_manifest_document_shape():
    manifest = build_manifest(
        run_id="r1",
        started_at="2024-01-01T00:00:00Z",
        finished_at="2024-01-01T00:01:00Z",
        input_uris=["s3://raw/x"],
        counts=counts(),
        written={"transactions": 6, "monthly_trend": 2},
        details={"output": "s3://processed"},
    )
    assert list(manifest) == ["run_id", "started_at", "finished_at", "input", "output", "counts"]
    assert manifest["input"] == "s3://raw/x"
    assert manifest["counts"] == {
        "read": 11,
        "valid": 6,
        "quarantined": 2,
        "quarantined_by_reason": {"invalid_enum:channel": 1, "malformed_json": 1},
        "duplicates_in_run": 1,
        "duplicates_of_processed": 1,
        "duplicates_of_quarantined": 1,
        "duplicates": 3,
        "duplicate_bad_lines": 2,
        "blank_lines_skipped": 3,
        "written": {"transactions": 6, "monthly_trend": 2},
    }
    assert json.loads(manifest_json(manifest)) == manifest
    with pytest.raises(ReconciliationError):
        build_manifest(
            run_id="r1",
            started_at="",
            finished_at="",
            input_uris=["a", "b"],
            counts=counts(read=99),
            written={},
        )


def test_count_dispositions_groups_by_disposition_and_reason(spark):
    classified = spark.createDataFrame(
        [
            ("valid", None),
            ("valid", None),
            ("quarantined", "malformed_json"),
            ("quarantined", "malformed_json"),
            ("quarantined", "missing_field:amount"),
            ("duplicate_in_run", None),
            ("duplicate_of_processed", None),
            # Copies of bad lines: counted as duplicates, and among the duplicate bad lines.
            ("duplicate_in_run", "malformed_json"),
            ("duplicate_of_quarantined", "missing_field:amount"),
            ("duplicate_of_quarantined", "malformed_json"),
        ],
        "disposition string, reason string",
    )
    result = count_dispositions(classified, read=10, blank_lines_skipped=1)
    assert result == RunCounts(
        read=10,
        valid=2,
        quarantined=3,
        duplicates_in_run=2,
        duplicates_of_processed=1,
        duplicates_of_quarantined=2,
        duplicate_bad_lines=3,
        blank_lines_skipped=1,
        quarantined_by_reason={"malformed_json": 2, "missing_field:amount": 1},
    )
