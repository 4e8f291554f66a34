#!/usr/bin/env bash
# npm test's static checks: lint and the type check at the same time. Each is one single-threaded process
# (about 30 and 20 CPU seconds on a clean clone), so on two cores together they take as long as lint alone.
# Each one's output is printed whole after it ends (not interleaved); fails when either fails.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
wait "$lint"
lint_status=$?
wait "$typecheck"
typecheck_status=$?
for check in lint typecheck; do
  status_var="${check}_status"
  if [ "${!status_var}" -ne 0 ]; then
    echo "npm run $check failed:"
    cat "$out/$check"
  elif [ -s "$out/$check" ]; then
    cat "$out/$check"
  fi
done
[ "$lint_status" -eq 0 ] && [ "$typecheck_status" -eq 0 ]
