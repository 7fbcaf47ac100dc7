#!/usr/bin/env bash
# npm test: the type-check and lint (scripts/check.sh) run beside jest rather than before it, filling the cores jest
# leaves idle (its global setup, its last files); their output follows jest's. Either failing fails the run.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
scripts/check.sh >"$log" 2>&1 & check=$!
# Three workers on two cores: the real torchrun, Prometheus and promtool runs spend part of their time waiting.
npx jest --maxWorkers=3 "$@"; tests=$?
wait $check; checked=$?
cat "$log"; rm -f "$log"
[ $checked -eq 0 ] || echo "npm test: the type-check or lint failed (above)" >&2
[ $tests -eq 0 ] && [ $checked -eq 0 ]
