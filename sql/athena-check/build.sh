#!/usr/bin/env bash
# Fetches Trino's parser from Maven Central and compiles the Athena SQL check into .local/athena-check.
# scripts/setup.sh runs it when pom.xml or the Java source changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$PWD/.local/athena-check
JDK=$(sql/athena-check/java-home.sh)

rm -rf "$OUT/lib" "$OUT/classes"
mvn -q -B -f sql/athena-check/pom.xml dependency:copy-dependencies -DoutputDirectory="$OUT/lib"
"$JDK/bin/javac" -nowarn -encoding UTF-8 --release 24 -cp "$OUT/lib/*" -d "$OUT/classes" sql/athena-check/AthenaSqlCheck.java
# check.sh compares this with the source, so an edited check is never run from stale classes.
sha256sum <sql/athena-check/AthenaSqlCheck.java >"$OUT/classes/source.sha256"
