#!/usr/bin/env node
// Runs the example app for `cdk8s synth`. Type-checking is `npm run typecheck` (part of `npm test`), not every synth:
// esbuild transpiles main.ts and what it imports into one file (the CRD bindings included) in tens of milliseconds,
// and node runs it. cdk8s, cdk8s-plus-28 and constructs stay external, loaded from node_modules as a user's app would.
const path = require('path');
const esbuild = require('esbuild');
const root = path.resolve(__dirname, '..');
const entry = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'main.ts');
const outfile = path.join(root, '.cache', path.basename(entry).replace(/\.ts$/, '.js'));
esbuild.buildSync({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml'],
  logLevel: 'error',
});
// An entry that exports createApp() (main.ts) is synthesized here, because its own `require.main === module`
// guard sees this script as the main module.
const entryModule = require(outfile);
if (typeof entryModule.createApp === 'function') entryModule.createApp().synth();
