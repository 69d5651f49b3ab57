# The two commands a newcomer needs:
#   make demo   - runs the pipeline locally end to end (the product's main job)
#   make test   - installs what is missing, then runs every check CI runs
# Everything is installed idempotently under .local/ (ignored by git).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PY := .local/venv/bin/python
STAGE ?= dev
# Spark interprets expressions instead of compiling them during mutation runs: a few rows per test,
# so compiling each mutant's plan would cost more than running it. Every mutant of a run creates its
# SparkContext in the run's one JVM, and 2 GB filled up after about 200 of them.
MUTATION_SPARK_ARGS := --driver-memory 4g --conf spark.sql.codegen.factoryMode=NO_CODEGEN --conf spark.sql.codegen.wholeStage=false pyspark-shell

.PHONY: setup test check test-ts test-python lint-templates synth preflight bench bench-atm job demo stop clean cost config-docs reports mutation chaos load bench-live

setup:
	@scripts/setup.sh

## Static checks: types, ESLint, Prettier, ruff, the Athena SQL against Trino's parser.
check: setup
	npx tsc --noEmit -p .
	npx eslint .
	npx prettier --check . --log-level warn
	.local/venv/bin/ruff check spark-jobs test/spark-jobs test/local local scripts
	.local/venv/bin/ruff format --check spark-jobs test/spark-jobs test/local local scripts
	sql/athena-check/check.sh

## CDK synth of every stage with the nag packs, template assertions, snapshots, Lambda and generator tests.
test-ts: setup
	npx vitest run

## cfn-lint and checkov over the templates the CDK tests synthesized.
lint-templates: test-ts
	scripts/lint-templates.sh

## PySpark jobs and SQL on real Spark, PostgreSQL 15 and DuckDB; the local twin on real servers.
test-python: setup
	$(PY) -m pytest test/spark-jobs test/local -q

test: check test-ts lint-templates test-python
	@echo "All checks passed."

synth: setup
	npx cdk synth -c stage=$(STAGE) --quiet

## Read-only check of every prerequisite of a first deploy of STAGE into the current account and region,
## each failure with its fix (e.g. PREFLIGHT_ARGS='--lambda-concurrency-quota 1000').
preflight: setup
	npx tsx bin/preflight.ts -c stage=$(STAGE) $(PREFLIGHT_ARGS)

bench: setup
	npx tsx scripts/bench-synth.ts

## The ATM job against the DuckDB reference (ROWS=1000000, 10000000 with DRIVER_MEMORY=6g); writes docs/benchmarks.md.
bench-atm: setup
	$(PY) scripts/bench_atm_job.py --rows $${ROWS:-1000000} --driver-memory $${DRIVER_MEMORY:-4g}

## Build what is generated from the report definitions sql/reports/<report>.sql (ignored by git; make setup
## runs it too): the Athena named queries, the warehouse views sql/redshift/1NN_report_*.sql, the job's
## report catalog and the report index.
reports: setup
	$(PY) scripts/generate_reports.py

## The ATM job alone on local Spark: generated input, file:// outputs under .local/job, reports printed.
job: setup
	scripts/run-job.sh

## Mutation testing (slow, so not in `make test`): mutmut over the contract validation, dedup and fraud
## rules, Stryker over start-run's hour windows and the live fraud rules; what the scores mean: docs/reliability.md.
## One `mutmut run` per group, each in a fresh Spark JVM: the mutants of a run share its driver's heap, and
## fraud.py's filled 4 GB after about 230, so its 477 run in three groups of function names that between
## them match any name: before i (198 today), i to q (impossible_travel, 179), r to z (100).
MUTATION_GROUPS := 'validation.*' 'dedup.*' 'fraud_rules.*' 'fraud.x_[!i-z]*' 'fraud.x_[i-q]*' \
  'fraud.x_[r-z]*'
mutation: setup
	rm -rf .local/mutation && mkdir -p .local/mutation
	ln -s ../../spark-jobs/bankpipe ../../test ../../contracts ../../pyproject.toml .local/mutation/
	cd .local/mutation && for group in $(MUTATION_GROUPS); do \
	  PYSPARK_SUBMIT_ARGS="$(MUTATION_SPARK_ARGS)" ../venv/bin/mutmut run --max-children 1 "bankpipe.$$group" || exit 1; \
	done
	cd .local/mutation && ../venv/bin/mutmut results
	npx stryker run stryker.windows.config.mjs
	npx stryker run stryker.fraud-rules.config.mjs
	npx stryker run stryker.fraud-input.config.mjs

## Chaos runs on a fresh twin: each part (and the live fraud-alerts consumer) killed with SIGKILL while
## data flows, then no line and no live alert lost or doubled; the table goes into docs/reliability.md
## (CHAOS_ARGS='--scenarios kafka --seed 3').
## `make test` runs the short set (Connect worker and broker kills): test/local/test_chaos_short.py.
chaos: setup
	$(PY) local/chaos/chaos.py run $(CHAOS_ARGS)

## The ingest path at rising rates (~12 min; LOAD_ARGS='--rates 200,500 --minutes 1'): lag and latency
## into docs/reliability.md.
load: setup
	$(PY) local/chaos/chaos.py load $(LOAD_ARGS)

## The live fraud-alerts consumer (15-30 min; LIVE_ARGS='--minutes 1 --ramp 1000 --ramp-minutes 1'): alert
## latency and lag at 500 lines/s for 5 minutes, then rising rates until one is not sustained; into
## docs/benchmarks.md.
bench-live: setup
	$(PY) local/chaos/chaos.py live-load $(LIVE_ARGS)

demo: setup
	scripts/demo.sh

stop:
	@scripts/demo.sh stop

clean:
	@scripts/demo.sh clean || true
	rm -rf cdk.out cdk.out.test

## Monthly cost of every stage from its synthesized templates and lib/cost/prices; writes README.md's cost section
## (CHECK=1 only compares it; COST_REGION=<region> prices another region that has a price file).
cost: setup
	npx tsx bin/cost.ts $(if $(CHECK),--check,)

## README.md's settings table from the stage settings schema (lib/config/stage-settings.ts) and cdk.json
## (CHECK=1 only compares it).
config-docs: setup
	npx tsx bin/config-docs.ts $(if $(CHECK),--check,)
