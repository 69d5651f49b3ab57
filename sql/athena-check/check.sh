#!/usr/bin/env bash
# Checks Athena named queries with Trino's own parser (Athena engine version 3 runs Trino): DuckDB-only
# syntax, functions outside athena-v3-functions.txt, and a DATE compared with a string partition
# column are rejected with file:line:column and the fix. Without arguments it checks sql/athena/*.sql.
#
#   sql/athena-check/check.sh [QUERY.sql...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/.local/athena-check
# Columns the Glue crawler types as string: the Hive-style partition folders of the processed zone
# (txn_date=YYYY-MM-DD, bankpipe.enrich.PARTITION_COLUMN; test_athena_trino_parser.py keeps the two equal).
STRING_PARTITION_COLUMNS=txn_date

if [[ "$(sha256sum <"$HERE/AthenaSqlCheck.java")" != "$(cat "$OUT/classes/source.sha256" 2>/dev/null)" ]]; then
  echo "athena-check: not built or out of date. Fix: run make setup (or sql/athena-check/build.sh)" >&2
  exit 2
fi
JDK=$("$HERE/java-home.sh")
if (($# == 0)); then
  set -- "$ROOT"/sql/athena/*.sql
fi
# One JVM for every file; no JIT tiers beyond C1 and a small heap keep a run near a second.
exec "$JDK/bin/java" -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx128m -cp "$OUT/classes:$OUT/lib/*" AthenaSqlCheck \
  --functions "$HERE/athena-v3-functions.txt" --string-columns "$STRING_PARTITION_COLUMNS" "$@"
