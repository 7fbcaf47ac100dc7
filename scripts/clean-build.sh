#!/usr/bin/env bash
# Removes the compiled JavaScript and declarations that `npm pack` builds next to the sources (never committed).
cd "$(dirname "$0")/.." && find lib imports \( -name '*.js' -o -name '*.d.ts' \) -delete
