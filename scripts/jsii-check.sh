#!/usr/bin/env bash
# Compiles the public API with jsii and generates the Python bindings (code only: wheels need PyPI, unreachable here),
# then checks the Python module exposes every construct that lib/index.ts exports, and that API.md (jsii-docgen from
# the same assembly) is current. UPDATE_API_DOCS=1 (npm run api-docs) writes API.md instead of checking it.
# Works on a copy in .cache/jsii so jsii's generated tsconfig and in-place .js never touch the project.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="$root/.cache/jsii"
rm -rf "$work" && mkdir -p "$work"
cp -r lib imports README.md LICENSE "$work/"
find "$work" -name '*.js' -o -name '*.d.ts' | xargs rm -f
ln -s "$root/node_modules" "$work/node_modules"
node -e '
const p = require("./package.json");
const out = {
  name: p.name, version: p.version, description: p.description, license: p.license,
  author: { name: "cdk8s-gpu-ml authors", organization: false },
  repository: { type: "git", url: "https://github.com/example/cdk8s-gpu-ml.git" },
  main: "lib/index.js", types: "lib/index.d.ts",
  peerDependencies: p.peerDependencies,
  devDependencies: Object.fromEntries(Object.entries(p.peerDependencies).map(([k, v]) => [k, v.replace(/^\^/, "")])),
  jsii: {
    outdir: "dist",
    versionFormat: "full",
    excludeTypescript: [],
    targets: { python: { distName: "cdk8s-gpu-ml", module: "cdk8s_gpu_ml" } },
  },
};
require("fs").writeFileSync(process.argv[1], JSON.stringify(out, null, 2));
' "$work/package.json"
cd "$work"
# jsii's Node-version banner is informational here (it lists the silenced majors, not a boolean).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"
npx jsii --silence-warnings=reserved-word
npx jsii-pacmak --targets python --code-only
init=$(find dist/python -path '*cdk8s_gpu_ml/__init__.py' | head -1)
[ -n "$init" ] || { echo "jsii-check: no Python module generated"; exit 1; }
# Every class the public API exports must be a Python class of the module.
node -e '
const fs = require("fs");
const asm = JSON.parse(fs.readFileSync(".jsii", "utf8"));
const py = fs.readFileSync(process.argv[1], "utf8");
const types = Object.values(asm.types).filter(t => t.kind === "class" || t.kind === "interface" || t.kind === "enum");
const missing = types.filter(t => !new RegExp(`^class ${t.name}\\b`, "m").test(py)).map(t => t.fqn);
const isConstruct = t => t && (t.base === "constructs.Construct" || isConstruct(asm.types[t.base]));
const constructs = types.filter(t => t.kind === "class" && !t.abstract && isConstruct(t)).map(t => t.name);
console.log(`jsii-check: ${types.length} types in the assembly, ${constructs.length} constructs in Python: ${constructs.join(", ")}`);
if (missing.length) { console.error(`jsii-check: missing from the Python module: ${missing.join(", ")}`); process.exit(1); }
' "$init"

# API.md: the reference generated from the assembly; stale is a failure, like dist/.
npx jsii-docgen -o API.md >/dev/null
if [ "${UPDATE_API_DOCS:-}" = 1 ]; then
  cp API.md "$root/API.md"
  echo "jsii-check: wrote API.md ($(wc -c < API.md) bytes)"
elif ! cmp -s API.md "$root/API.md"; then
  diff -u "$root/API.md" API.md | head -40 || true
  echo "jsii-check: API.md is stale: run npm run api-docs and commit it"
  exit 1
else
  echo "jsii-check: API.md is current"
fi
