#!/usr/bin/env bash
# Type-check (with the freshness of lib/generated/type-specs.ts, from the same program) and lint side by side (each is
# mostly one core): both always run, and either failing fails the check.
set -u
cd "$(dirname "$0")/.."
npm run -s typecheck & tsc=$!
npm run -s lint; lint=$?
wait $tsc; types=$?
[ $types -eq 0 ] || echo "check: the type-check failed" >&2
[ $lint -eq 0 ] || echo "check: lint failed" >&2
[ $types -eq 0 ] && [ $lint -eq 0 ]
