#!/usr/bin/env node
// Runs a TypeScript entry (the example app for `cdk8s synth`, the benchmark). Type-checking is `npm run typecheck` (part of `npm test`), not every synth:
// esbuild transpiles main.ts and what it imports into one file (the CRD bindings included) in tens of milliseconds,
// and node runs it. Packages (cdk8s, cdk8s-plus-28, constructs...) stay external, loaded from node_modules as a user's app would.
const path = require('path');
const esbuild = require('esbuild');
const root = path.resolve(__dirname, '..');
const entry = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'main.ts');
// One output file per process: several synths may run at once (CI, editors, watchers).
const outfile = path.join(root, '.cache', `${path.basename(entry, '.ts')}.${process.pid}.js`);
esbuild.buildSync({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  packages: 'external', // node_modules load as they are (cdk8s, cdk8s-plus-28, constructs, esbuild...)
  logLevel: 'error',
});
// An entry that exports createApp() (main.ts) is synthesized here, because its own `require.main === module`
// guard sees this script as the main module.
let entryModule;
try {
  entryModule = require(outfile);
} finally {
  require('fs').rmSync(outfile, { force: true });
}
if (typeof entryModule.createApp === 'function') entryModule.createApp().synth();
