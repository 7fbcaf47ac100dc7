#!/usr/bin/env node
// Runs a TypeScript entry (the example app for `cdk8s synth`, the benchmark). Type-checking is `npm test`'s, not every synth:
// esbuild transpiles the entry and what it imports into one file in about a tenth of a second, and node runs it.
// Packages (cdk8s, cdk8s-plus-28, constructs...) stay external, loaded from node_modules as a user's app would.
// The bundle is kept in .cache with the list of its inputs, and reused while none of them is newer than it (an edit
// to any input, or an input gone, rebuilds it; a newly imported file can only come from an edited one).
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const entry = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'main.ts');
// In .cache itself: scripts find the project as `path.resolve(__dirname, '..')`.
const dir = path.join(root, '.cache');
const name = `run-ts.${path.relative(root, entry).replace(/[^A-Za-z0-9.-]/g, '_')}`;
const bundle = path.join(dir, `${name}.js`);
const inputsFile = path.join(dir, `${name}.inputs.json`);

function fresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    return inputs.every(f => fs.statSync(path.join(root, f)).mtimeMs < built);
  } catch {
    return false;
  }
}

if (!fresh()) {
  fs.mkdirSync(dir, { recursive: true });
  // Written under a name of this process, then renamed: several synths may run at once (CI, editors, watchers).
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = require('esbuild').buildSync({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    packages: 'external', // node_modules load as they are (cdk8s, cdk8s-plus-28, constructs, esbuild...)
    logLevel: 'error',
    metafile: true,
  });
  // Paths in the metafile are relative to the working directory.
  const inputs = Object.keys(result.metafile.inputs).map(f => path.relative(root, path.resolve(f)));
  fs.renameSync(tmp, bundle);
  fs.writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs));
  fs.renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
}
// An entry that exports createApp() (main.ts) is synthesized here, because its own `require.main === module`
// guard sees this script as the main module.
const entryModule = require(bundle);
if (typeof entryModule.createApp === 'function') entryModule.createApp().synth();
