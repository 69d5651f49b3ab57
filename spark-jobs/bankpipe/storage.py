"""Storage helpers on the Hadoop FileSystem API (through the Spark JVM), so one code path serves
s3:// on EMR (EMRFS), s3a:// and file:// locally.

Run-scoped publishing of <output>/transactions
-----------------------------------------------
The layout is ``transactions/txn_date=YYYY-MM-DD/*.parquet``. Runs are hourly while dates are daily,
so several runs write into the same date folder: a dynamic partition overwrite would make every run
delete the rows earlier runs wrote for the same date. Instead each run writes to
``<output>/_staging/<run-id>/`` and then publishes its files as
``transactions/txn_date=D/part-NNNNN.run-<run-id>.<ext>``, after deleting the files an earlier
attempt of the same run id published. Effects:

- other runs' rows are never touched (new dates and new rows for existing dates are appended);
- rerunning a run id replaces exactly that run's files (idempotent, and the recovery path when a run
  died half-way through publishing);
- readers see a partially published run for a few seconds; the Step Functions flow runs the crawler
  and the warehouse load only after the step succeeded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_RUN_FILE = re.compile(r"^part-\d{5}\.run-(.+)\.[a-z0-9]+\.parquet$")


def validate_run_id(run_id: str) -> str:
    if not RUN_ID_PATTERN.match(run_id):
        raise ValueError(
            f"run id {run_id!r} is not usable in file names: use 1-128 characters from letters, digits, "
            "'.', '_' and '-', starting with a letter or digit"
        )
    return run_id


def normalise_uri(uri: str) -> str:
    """A URI without a trailing slash; a plain local path becomes an absolute file:// URI (so Hadoop
    does not resolve it against HDFS on a cluster)."""
    if "://" not in uri and not uri.startswith("file:"):
        # Not Path.as_uri(): it percent-encodes '=' (year=2024) and Hadoop would not decode it.
        return "file://" + str(Path(uri).resolve())
    return uri.rstrip("/") if not uri.endswith("://") else uri


def join_uri(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *[part.strip("/") for part in parts]])


def run_file_name(index: int, run_id: str, codec: str) -> str:
    """``part-NNNNN.run-<run-id>.<codec>.parquet``; the codec part is always there (``none`` when
    uncompressed) so the run id can be read back unambiguously even when it contains dots."""
    return f"part-{index:05d}.run-{run_id}.{codec}.parquet"


def run_of_file(name: str) -> str | None:
    """The run id encoded in a published file name, or None for other files."""
    match = _RUN_FILE.match(name)
    return match.group(1) if match else None


def codec_of_spark_file(name: str) -> str:
    """'snappy' for part-...-c000.snappy.parquet, 'none' for part-...-c000.parquet."""
    stem = name.removesuffix(".parquet")
    last = stem.rsplit(".", 1)
    return last[1] if len(last) == 2 and not last[1].startswith("c0") else "none"


class HadoopFs:
    """Thin wrapper over org.apache.hadoop.fs.FileSystem for URIs of any scheme."""

    def __init__(self, spark: SparkSession) -> None:
        self._jvm: Any = spark.sparkContext._jvm
        self._conf: Any = spark.sparkContext._jsc.hadoopConfiguration()

    def _resolve(self, uri: str) -> tuple[Any, Any]:
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        if path.toUri().getPath() == "":
            # A bucket root without its slash (s3a://bucket, as normalise_uri leaves it): S3A refuses
            # to list a path that is not absolute.
            path = self._jvm.org.apache.hadoop.fs.Path(uri + "/")
        return path.getFileSystem(self._conf), path

    def exists(self, uri: str) -> bool:
        fs, path = self._resolve(uri)
        return bool(fs.exists(path))

    def delete(self, uri: str, recursive: bool = True) -> None:
        fs, path = self._resolve(uri)
        if fs.exists(path):
            fs.delete(path, recursive)

    def mkdirs(self, uri: str) -> None:
        fs, path = self._resolve(uri)
        fs.mkdirs(path)

    def rename(self, source: str, target: str) -> None:
        fs, source_path = self._resolve(source)
        _, target_path = self._resolve(target)
        fs.mkdirs(target_path.getParent())
        if not fs.rename(source_path, target_path):
            raise OSError(f"could not move {source} to {target}")

    def rename_many(self, moves: list[tuple[str, str]]) -> None:
        """Move files (source, target) on one file system with few JVM calls: parents are created
        once each, and a failed move raises naming the file."""
        if not moves:
            return
        fs, _ = self._resolve(moves[0][0])
        path = self._jvm.org.apache.hadoop.fs.Path
        for parent in sorted({target.rsplit("/", 1)[0] for _, target in moves}):
            fs.mkdirs(path(parent))
        for source, target in moves:
            if not fs.rename(path(source), path(target)):
                raise OSError(f"could not move {source} to {target}")

    def delete_many(self, uris: list[str]) -> None:
        if not uris:
            return
        fs, _ = self._resolve(uris[0])
        path = self._jvm.org.apache.hadoop.fs.Path
        for uri in uris:
            fs.delete(path(uri), False)

    def list_files(self, uri: str, recursive: bool = True) -> list[str]:
        """Files (not folders) under ``uri``; an empty list when it does not exist."""
        fs, path = self._resolve(uri)
        if not fs.exists(path):
            return []
        found = []
        iterator = fs.listFiles(path, recursive)
        while iterator.hasNext():
            found.append(iterator.next().getPath().toString())
        return sorted(found)

    def any_file(self, uri: str, matches: Callable[[str], bool]) -> bool:
        """Whether some file under ``uri`` has a name for which ``matches`` is true; stops at the first."""
        fs, path = self._resolve(uri)
        if not fs.exists(path):
            return False
        iterator = fs.listFiles(path, True)
        while iterator.hasNext():
            if matches(iterator.next().getPath().getName()):
                return True
        return False

    def glob(self, pattern: str) -> list[str]:
        fs, path = self._resolve(pattern)
        statuses = fs.globStatus(path)
        return sorted(status.getPath().toString() for status in statuses or [])

    def write_text(self, uri: str, text: str) -> None:
        fs, path = self._resolve(uri)
        stream = fs.create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def read_text(self, uri: str) -> str:
        fs, path = self._resolve(uri)
        stream = fs.open(path)
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()


def has_parquet_files(fs: HadoopFs, uri: str) -> bool:
    """True as soon as one visible .parquet file is found (does not list a large dataset fully)."""
    return fs.any_file(uri, lambda name: not _is_hidden(name) and name.endswith(".parquet"))


def has_json_files(fs: HadoopFs, uri: str) -> bool:
    """True as soon as one visible .json file is found (Spark's JSON writer names its files so)."""
    return fs.any_file(uri, lambda name: not _is_hidden(name) and name.endswith(".json"))


def _is_hidden(name: str) -> bool:
    return name.startswith(("_", "."))


def published_files_of_run(fs: HadoopFs, dataset_uri: str, run_id: str) -> list[str]:
    candidates = fs.glob(join_uri(dataset_uri, "*", f"part-*.run-{run_id}.*.parquet"))
    return [uri for uri in candidates if run_of_file(uri.rsplit("/", 1)[-1]) == run_id]


def publish_run_files(fs: HadoopFs, staging_uri: str, dataset_uri: str, run_id: str) -> list[str]:
    """Replace the files of ``run_id`` in ``dataset_uri`` with the Parquet files under ``staging_uri``
    (which holds ``<partition>=<value>/part-*.parquet`` from a Spark partitioned write)."""
    fs.delete_many(published_files_of_run(fs, dataset_uri, run_id))
    staged = [
        uri
        for uri in fs.list_files(staging_uri)
        if uri.endswith(".parquet") and not _is_hidden(uri.rsplit("/", 1)[-1])
    ]
    by_partition: dict[str, list[str]] = {}
    prefix = staging_uri.rstrip("/") + "/"
    for uri in staged:
        relative = _relative(uri, prefix)
        partition, _, _ = relative.rpartition("/")
        by_partition.setdefault(partition, []).append(uri)
    moves = []
    for partition, files in sorted(by_partition.items()):
        for index, source in enumerate(sorted(files)):
            codec = codec_of_spark_file(source.rsplit("/", 1)[-1])
            moves.append((source, join_uri(dataset_uri, partition, run_file_name(index, run_id, codec))))
    fs.rename_many(moves)
    fs.delete(staging_uri)
    return [target for _, target in moves]


def _relative(uri: str, prefix: str) -> str:
    # Hadoop may print file:/x for file:///x; compare on the path part after the scheme.
    def path_part(text: str) -> str:
        return re.sub(r"^[a-z0-9]+:(//[^/]*)?", "", text)

    uri_path, prefix_path = path_part(uri), path_part(prefix)
    if not uri_path.startswith(prefix_path):
        raise OSError(f"staged file {uri} is not under {prefix}")
    return uri_path[len(prefix_path) :]
