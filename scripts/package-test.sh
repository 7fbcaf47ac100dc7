#!/usr/bin/env bash
# Packs the library as `npm publish` would, installs the tarball into a fresh cdk8s app that has only the peer
# dependencies (and TypeScript), type-checks a user's main.ts against the shipped declarations, synthesizes a
# GpuTrainingJob there and checks the YAML.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/.cache/package-test"
rm -rf "$out" && mkdir -p "$out/app"
tarball=$(npm pack --silent --pack-destination "$out" | tail -1)
tgz="$out/$tarball"
# Unpacked size: what a user's node_modules gets (at most 3 MB: no generated bindings that nothing loads).
unpacked=$(tar -xzOf "$tgz" | wc -c)
echo "package-test: packed $tarball ($(du -k "$tgz" | cut -f1) KiB, $((unpacked / 1024)) KiB unpacked)"
[ "$unpacked" -le $((3 * 1024 * 1024)) ] || { echo "package-test: the package unpacks to $unpacked bytes, over 3 MB"; exit 1; }

# Only what a user needs: compiled JS, declarations, README, LICENSE, package.json.
listing=$(tar -tzf "$tgz")
for f in package/lib/index.js package/lib/index.d.ts package/README.md package/LICENSE package/package.json; do
  grep -qx "$f" <<<"$listing" || { echo "package-test: $f missing from the package"; exit 1; }
done
if grep -E '\.ts$' <<<"$listing" | grep -vE '\.d\.ts$'; then echo "package-test: TypeScript sources in the package"; exit 1; fi
if grep -E '^package/(test|dist|examples|scripts|__snapshots__|\.ci)/|^package/main\.' <<<"$listing"; then echo "package-test: non-library files in the package"; exit 1; fi

ver() { node -p "require('$root/node_modules/$1/package.json').version"; }
cd "$out/app"
cat > package.json <<JSON
{ "name": "consumer-app", "version": "0.0.0", "private": true }
JSON
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$tgz" "cdk8s@$(ver cdk8s)" "cdk8s-plus-28@$(ver cdk8s-plus-28)" "constructs@$(ver constructs)" \
  "typescript@$(ver typescript)" "@types/node@$(ver @types/node)"
cat > main.ts <<'TS'
import { App, Chart, Size } from 'cdk8s';
import { Accelerator, GpuRequest, GpuTrainingJob, Platform, PodPlacement } from 'cdk8s-gpu-ml';

/** A platform of the app's own, written against the package's public API only. */
class OnPremPlatform extends Platform {
  public constructor() {
    super({ id: 'on-prem', displayName: 'On-prem lab' });
  }
  public allowedGpuCounts(_accelerator: Accelerator): number[] {
    return [1, 2, 4];
  }
  public schedule(request: GpuRequest): PodPlacement {
    return { nodeSelector: request.gpus > 0 ? { 'lab.example.com/gpu': 'true' } : {}, tolerations: [], podAnnotations: {} };
  }
}

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'consumer', { namespace: 'ml', disableResourceNameHashes: true });
const job: GpuTrainingJob = new GpuTrainingJob(chart, 'train', {
  platform: Platform.gkeAutopilot(),
  accelerator: Accelerator.L4,
  gpus: 2,
  memory: Size.gibibytes(32),
  image: 'trainer:1.0',
});
new GpuTrainingJob(chart, 'lab', { platform: new OnPremPlatform(), accelerator: Accelerator.L40S, gpus: 4, image: 'trainer:1.0' });
const name: string = job.job.name;
app.synth();
console.log(`synthesized ${name}`);
TS
npx tsc --strict --target ES2020 --module commonjs --types node main.ts
node main.js
yaml=dist/consumer.k8s.yaml
for expect in 'kind: Job' 'cloud.google.com/gke-accelerator: nvidia-l4' 'nvidia.com/gpu: 2' 'name: consumer-train' 'medium: Memory' \
  'lab.example.com/gpu: "true"' 'nvidia.com/gpu: 4'; do
  grep -q "$expect" "$yaml" || { echo "package-test: '$expect' missing from $yaml"; cat "$yaml"; exit 1; }
done
echo "package-test: OK: a fresh cdk8s app installed the tarball, type-checked against it and synthesized GpuTrainingJobs on GKE Autopilot and on a platform of its own"

# Hostile inputs, as a plain-JavaScript user writes them, against the installed package: no crash, no duplicate
# object, no secret, no misread string, no empty selector; then the YAML of every case that synthesized is checked as
# the API server and kubectl would read it (schemas, names, labels). Warnings of the cases go to a log.
cp "$root/scripts/hostile-inputs.js" .
node hostile-inputs.js hostile-out 2> hostile-warnings.log
# run-ts bundles into .cache/, so the schemas are found by their path, not relative to the bundle.
(cd "$root" && SHARED_DIR="${SHARED_DIR:-$root/../shared}" node scripts/run-ts.js scripts/check-manifests.ts "$out/app/hostile-out")
