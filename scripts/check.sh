#!/usr/bin/env bash
# Type-check and lint side by side (each is mostly one core): both always run, and either failing fails the check.
set -u
cd "$(dirname "$0")/.."
npx tsc --noEmit -p . & tsc=$!
npx eslint .; lint=$?
wait $tsc; types=$?
[ $types -eq 0 ] || echo "check: the type-check failed" >&2
[ $lint -eq 0 ] || echo "check: lint failed" >&2
[ $types -eq 0 ] && [ $lint -eq 0 ]
