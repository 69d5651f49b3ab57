#!/usr/bin/env bash
# cfn-lint and checkov over every synthesized template of every stage.
# Expects the templates the CDK tests synthesized (cdk.out.test/<stage>), or a
# folder given as $1 (e.g. cdk.out after `cdk synth`).
# Fails on any cfn-lint error and any failed checkov check; checkov skips are
# written next to the resource in the CDK code (lib/shared/checkov.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOTS=("${@:-cdk.out.test/dev cdk.out.test/prod}")
# shellcheck disable=SC2206
ROOTS=(${ROOTS[*]})
status=0
for root in "${ROOTS[@]}"; do
  templates=("$root"/*.template.json)
  if [[ ! -e "${templates[0]}" ]]; then
    echo "No templates in $root: run the CDK tests (npx vitest run test/lib) or cdk synth first" >&2
    exit 1
  fi
  echo "== cfn-lint $root (${#templates[@]} templates)"
  set +e
  # W3005: CDK adds an explicit DependsOn on each role beside the GetAtt; redundant, harmless, not ours to change.
  .local/lint-venv/bin/cfn-lint --format parseable --ignore-checks W3005 -- "${templates[@]}"
  rc=$?
  set -e
  # cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
  if (( rc & 2 )); then echo "cfn-lint: errors in $root" >&2; status=1; else echo "cfn-lint: 0 errors"; fi

  echo "== checkov $root"
  if ! .local/lint-venv/bin/checkov -d "$root" --framework cloudformation --quiet --compact \
      --skip-download --output cli; then
    echo "checkov: failed checks in $root" >&2
    status=1
  else
    echo "checkov: 0 failed checks"
  fi
done
exit $status
