#!/usr/bin/env bash
# Installs everything the tests and the local twin need, idempotently.
# Each step keeps a stamp (hash of its inputs) under .local/stamps and is
# skipped when nothing changed, so a second run takes seconds.
# Only the package registries are used: apt, npm, PyPI and Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAMPS=.local/stamps
mkdir -p "$STAMPS" .local/jars

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# stamp_ok NAME INPUT_FILES... : true when the inputs' hash matches the last successful run.
stamp_hash() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }
stamp_ok() { local name=$1; shift; [[ -f "$STAMPS/$name" && "$(cat "$STAMPS/$name")" == "$(stamp_hash "$@")" ]]; }
stamp_write() { local name=$1; shift; stamp_hash "$@" >"$STAMPS/$name"; }

# 1. Debian packages: PostgreSQL 15 (Redshift stand-in) and OpenSSH (SFTP log server stand-in).
need_apt=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || need_apt+=(postgresql-15)
[[ -x /usr/sbin/sshd ]] || need_apt+=(openssh-server)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${need_apt[*]}. Install them with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  log "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The packages start system services on install; the project starts its own on 127.0.0.1.
  for svc in postgresql ssh; do
    systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null || true
  done
fi

# 2. Node modules from the committed lock file.
if ! stamp_ok npm package-lock.json || [[ ! -d node_modules ]]; then
  log "installing Node modules from package-lock.json"
  # Not `npm ci`: npm 11 records no lock entries for other platforms' optional
  # binaries (rollup, esbuild), and `npm ci` then refuses the lock as out of sync.
  # `npm install` installs the same locked versions and leaves the lock unchanged.
  npm install --no-audit --no-fund --loglevel=error
  stamp_write npm package-lock.json
fi

# 3. Python venv for the Spark jobs, SQL tests and local twin.
if ! stamp_ok venv requirements.txt || [[ ! -x .local/venv/bin/python ]]; then
  log "creating Python venv .local/venv (pyspark, duckdb, pytest, ...)"
  python3 -m venv .local/venv
  .local/venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  stamp_write venv requirements.txt
fi

# 4. Template linters in their own venv (checkov pins many libraries of its own).
if ! stamp_ok lint-venv requirements-lint.txt || [[ ! -x .local/lint-venv/bin/checkov ]]; then
  log "creating linter venv .local/lint-venv (cfn-lint, checkov)"
  python3 -m venv .local/lint-venv
  .local/lint-venv/bin/pip install -q --disable-pip-version-check -r requirements-lint.txt
  stamp_write lint-venv requirements-lint.txt
fi

# 5. Jars from Maven Central: JDBC drivers for the warehouse load, connector plugin zips.
if [[ -f spark-jobs/jdbc/pom.xml ]] && { ! stamp_ok jdbc spark-jobs/jdbc/pom.xml || ! ls .local/jars/postgresql-*.jar >/dev/null 2>&1; }; then
  log "fetching JDBC drivers into .local/jars"
  mvn -q -B -f spark-jobs/jdbc/pom.xml dependency:copy-dependencies -DoutputDirectory="$ROOT/.local/jars"
  stamp_write jdbc spark-jobs/jdbc/pom.xml
fi
if [[ -x connectors/build-plugins.sh ]]; then
  log "building MSK Connect plugin zips"
  connectors/build-plugins.sh
fi

# 6. The local twin's jars: Kafka 3.9.1 broker/Connect, s3proxy, hadoop-aws for s3a.
if [[ -f local/jars/pom.xml ]] && { ! stamp_ok twin-jars local/jars/pom.xml local/jars/*/pom.xml || ! ls .local/twin-jars/kafka/kafka_2.13-3.9.1.jar >/dev/null 2>&1; }; then
  log "fetching the local twin's jars into .local/twin-jars"
  mvn -q -B -f local/jars/pom.xml package
  stamp_write twin-jars local/jars/pom.xml local/jars/*/pom.xml
fi

# 7. The Athena SQL check: Trino's parser (Athena engine v3 runs Trino), compiled with a JDK 24+.
if ! stamp_ok athena-check sql/athena-check/pom.xml sql/athena-check/AthenaSqlCheck.java sql/athena-check/build.sh || [[ ! -f .local/athena-check/classes/AthenaSqlCheck.class ]]; then
  log "fetching Trino's SQL parser and building the Athena SQL check into .local/athena-check"
  sql/athena-check/build.sh
  stamp_write athena-check sql/athena-check/pom.xml sql/athena-check/AthenaSqlCheck.java sql/athena-check/build.sh
fi

# 8. What is built from the report definitions (git ignores it): Athena named queries, warehouse report
# views, the ATM job's report catalog, the report index. About a second; only changed files are written.
log "building the report files from sql/reports (make reports)"
.local/venv/bin/python scripts/generate_reports.py >/dev/null

log "ready"
