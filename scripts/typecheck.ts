/**
 * `npm test`'s type-check: what `tsc --noEmit -p .` reports, and, from the same program (building it is most of the
 * cost), whether lib/generated/type-specs.ts is what `npm run type-specs` makes of the types. Exits 1 on either.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { generateTypeSpecs } from './type-specs';

const ROOT = path.resolve(__dirname, '..');
const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), { noEmit: true, incremental: false }, {
  ...ts.sys, onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
})!;
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];
let failed = false;
if (diagnostics.length) {
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  process.stderr.write(process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, host) : ts.formatDiagnostics(diagnostics, host));
  failed = true;
} else {
  const file = path.join(ROOT, 'lib', 'generated', 'type-specs.ts');
  if (fs.readFileSync(file, 'utf8') !== generateTypeSpecs(program)) {
    process.stderr.write(`${path.relative(ROOT, file)} is stale: the prop types changed since it was generated (run \`npm run type-specs\`)\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
