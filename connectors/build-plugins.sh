#!/usr/bin/env bash
# Builds the MSK Connect custom-plugin zips into connectors/dist/ and prints their paths.
#
#   connectors/build-plugins.sh            build (with the JUnit tests) unless the zips are up to date
#   FORCE=1 connectors/build-plugins.sh    rebuild even if up to date
#   SKIP_TESTS=1 connectors/build-plugins.sh
#
# Up to date = both zips exist and no pom.xml / source file under connectors/ is newer than them.
# Maven runs offline first (the jars cached in ~/.m2 from an earlier build suffice) and only goes to
# the registry when something is missing, so repeated CI runs need no network.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dist="$here/dist"
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$here/pom.xml" | head -1)"
zips=("$dist/sftp-jsonl-source-$version.zip" "$dist/s3-jsonl-sink-$version.zip")

command -v mvn >/dev/null || { echo "build-plugins: mvn not found; install Maven 3.8+ and a JDK 17" >&2; exit 1; }
command -v java >/dev/null || { echo "build-plugins: java not found; install a JDK 17" >&2; exit 1; }

up_to_date() {
  local zip
  for zip in "${zips[@]}"; do
    [[ -f "$zip" ]] || return 1
    # Any input newer than this zip?
    if [[ -n "$(find "$here/pom.xml" "$here"/*/pom.xml "$here"/*/src -newer "$zip" -type f -print -quit)" ]]; then
      return 1
    fi
  done
}

if [[ "${FORCE:-0}" != "1" ]] && up_to_date; then
  echo "build-plugins: zips are up to date" >&2
else
  args=(-q -f "$here/pom.xml" package)
  if [[ "${SKIP_TESTS:-0}" == "1" ]]; then
    args+=(-DskipTests)
  fi
  start=$SECONDS
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  if ! mvn -o "${args[@]}" >"$log" 2>&1; then
    if grep -qE "offline mode|has not been downloaded from it before|in offline mode" "$log"; then
      echo "build-plugins: some jars are not cached yet, fetching them from the Maven registry" >&2
      mvn "${args[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    else
      cat "$log" >&2
      exit 1
    fi
  fi
  echo "build-plugins: built in $((SECONDS - start)) s" >&2
  # Surefire is quiet under -q: report the JUnit totals in the plain 'N passed, N failed' form.
  if [[ "${SKIP_TESTS:-0}" != "1" ]]; then
    python3 - "$here" <<'EOF' >&2
import glob, sys, xml.etree.ElementTree as ET
total = failed = skipped = 0
for report in glob.glob(f"{sys.argv[1]}/*/target/surefire-reports/TEST-*.xml"):
    suite = ET.parse(report).getroot()
    total += int(suite.get("tests", 0))
    failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped += int(suite.get("skipped", 0))
print(f"connector plugin tests: {total - failed - skipped} passed, {failed} failed, {skipped} skipped")
EOF
  fi
fi

for zip in "${zips[@]}"; do
  [[ -f "$zip" ]] || { echo "build-plugins: expected $zip was not produced" >&2; exit 1; }
  echo "$zip"
done
