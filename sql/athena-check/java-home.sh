#!/usr/bin/env bash
# Prints the home of a JDK that can compile and run the Athena SQL check (Java 24 or newer: the
# class files of trino-parser 476 are Java 24's). $JAVA25_HOME, when set, is used as is; otherwise
# the newest JDK 24+ among $JAVA_HOME, the `java` on PATH and /usr/lib/jvm/* is chosen. Fails
# naming what to install when there is none.
set -euo pipefail
MIN_JAVA=24

java_major() { # JDK_HOME -> its feature version, or nothing
  [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

if [[ -n "${JAVA25_HOME:-}" ]]; then
  major=$(java_major "$JAVA25_HOME")
  if [[ -z "$major" ]] || ((major < MIN_JAVA)); then
    echo "JAVA25_HOME=$JAVA25_HOME is not a JDK ${MIN_JAVA}+ (no bin/java and bin/javac of that version). Fix: point it at one, or unset it to search /usr/lib/jvm." >&2
    exit 1
  fi
  echo "$JAVA25_HOME"
  exit 0
fi

candidates=()
[[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
while IFS= read -r jdk; do candidates+=("$jdk"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)

best="" best_major=0
for jdk in "${candidates[@]}"; do
  major=$(java_major "$jdk")
  if [[ -n "$major" ]] && ((major >= MIN_JAVA && major > best_major)); then
    best=$jdk best_major=$major
  fi
done
if [[ -z "$best" ]]; then
  {
    echo "No JDK ${MIN_JAVA}+ found (looked at \$JAVA25_HOME, \$JAVA_HOME, java on PATH, /usr/lib/jvm/*)."
    echo "The Athena SQL check runs Trino's parser, which needs Java ${MIN_JAVA} or newer."
    echo "Fix: install one (e.g. Temurin 25) and, if it is not under /usr/lib/jvm, set JAVA25_HOME to it."
  } >&2
  exit 1
fi
echo "$best"
