#!/usr/bin/env bash
# The ATM job on its own, without the twin: generate transactions, run spark-jobs/atm_job.py on local
# Spark with file:// URIs and the EMR step's job arguments (plus --customers), then print the manifest
# and reports.
#   JOB_ROWS=50000 make job        (default 20,000 lines; outputs under .local/job/)
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${JOB_ROWS:-20000}"
work="$PWD/.local/job"
run_id="${JOB_RUN_ID:-by-hand-1}"
rm -rf "$work"
mkdir -p "$work/drop"

echo "1/3 generating $rows lines (1% bad, 0.5% duplicates) into $work/drop"
npx tsx tools/generator/cli.ts --seed 42 --count "$rows" --days 31 --out "$work/drop" \
  --bad-ratio 0.01 --duplicate-ratio 0.005 --summary "$work/generator-summary.json" \
  --customers-out "$work/customers.jsonl"

echo "2/3 spark-submit spark-jobs/atm_job.py (local[2]; log in $work/spark.log)"
# spark-submit finds Spark through the Python it runs, and the job's workers need the same venv.
export PYSPARK_PYTHON="$PWD/.local/venv/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/.local/venv/bin/python"
PYTHONPATH="$PWD/spark-jobs" .local/venv/bin/spark-submit --master 'local[2]' \
  --conf spark.ui.enabled=false --conf spark.driver.bindAddress=127.0.0.1 \
  --conf spark.driver.host=127.0.0.1 --conf spark.sql.shuffle.partitions=4 \
  spark-jobs/atm_job.py \
  --input "file://$work/drop" --output "file://$work/processed" \
  --quarantine "file://$work/quarantine" --customers "file://$work/customers.jsonl" \
  --run-id "$run_id" >"$work/spark.log" 2>&1 || {
  echo "the ATM job failed; the end of $work/spark.log:" >&2
  tail -n 30 "$work/spark.log" >&2
  exit 1
}

echo "3/3 what the run wrote"
.local/venv/bin/python scripts/show_reports.py --output "$work/processed" \
  --quarantine "$work/quarantine" --run-id "$run_id"
