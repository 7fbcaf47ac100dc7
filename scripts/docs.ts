/**
 * Keeps the YAML in the docs true: every ```ts synth``` snippet in README.md and docs/*.md is run as a user would run it
 * (`import ... from 'cdk8s-gpu-ml'` is the library), and the ```yaml block right after it is rewritten with what the
 * snippet synthesizes. The yaml block's first line selects what to show: `# Job` (every Job), `# Job/name`, or
 * `# Job spec.template.spec` (a part of it); `# all` shows every object; `# file extras/<name>` shows a file the snippet
 * wrote beside the manifests (a values file, a queue config). Prose may stand between the two blocks.
 *
 *   npm run docs           rewrite the YAML blocks
 *   test/docs.test.ts      fails when a YAML block is not what its snippet makes
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as esbuild from 'esbuild';
import { parseAllDocuments } from 'yaml';
import * as lib from '../lib';

const ROOT = path.resolve(__dirname, '..');

/** The documents whose snippets are run: the README and every guide in docs/. */
export function docFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const guides = fs.existsSync(docs) ? fs.readdirSync(docs).filter(f => f.endsWith('.md')).sort().map(f => path.join(docs, f)) : [];
  return [path.join(ROOT, 'README.md'), ...guides];
}

/**
 * Runs one snippet and returns the objects it synthesizes; the files it writes under extras/ (values files, queue
 * configs) go into `files` when given, keyed `extras/<name>`.
 */
export function runSnippet(code: string, where: string, files?: Map<string, string>): any[] {
  const js = esbuild.transformSync(code, { loader: 'ts', format: 'cjs', target: 'node18' }).code;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-docs-'));
  const previous = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    const module = { exports: {} };
    const load = (id: string) => (id === 'cdk8s-gpu-ml' ? lib : require(id));
    new Function('require', 'module', 'exports', js)(load, module, module.exports);
  } catch (e: any) {
    throw new Error(`${where}: the snippet failed: ${e.message}`);
  } finally {
    if (previous === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = previous;
  }
  const manifests = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).sort();
  const objects = manifests.flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJS()));
  const extras = path.join(outdir, 'extras');
  const extraFiles = fs.existsSync(extras) ? fs.readdirSync(extras).sort() : [];
  for (const f of extraFiles) files?.set(`extras/${f}`, fs.readFileSync(path.join(extras, f), 'utf8'));
  fs.rmSync(outdir, { recursive: true, force: true });
  if (objects.length === 0 && extraFiles.length === 0) throw new Error(`${where}: the snippet synthesized nothing (does it call app.synth()?)`);
  return objects;
}

/** Renders the objects a selector line (`all`, `Kind`, `Kind/name`, optionally followed by a dotted path) picks. */
export function render(objects: any[], selector: string, where: string): string {
  const [what, part] = selector.trim().split(/\s+/, 2);
  const [kind, name] = what.split('/');
  const picked = what === 'all' ? objects : objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (picked.length === 0) throw new Error(`${where}: "# ${selector}" selects nothing (objects: ${objects.map(o => `${o.kind}/${o.metadata?.name}`).join(', ')})`);
  const docs = part === undefined ? picked : picked.map(o => {
    let node = o;
    for (const key of part.split('.')) {
      const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(key);
      node = m ? node?.[m[1]] : undefined;
      if (m?.[2] !== undefined) node = node?.[Number(m[2])];
    }
    if (node === undefined) throw new Error(`${where}: "${part}" is not in ${o.kind}/${o.metadata?.name}`);
    return node;
  });
  return Yaml.stringify(...docs).trimEnd();
}

/** A file the snippet wrote under extras/ (`# file extras/<name>`), as written. */
export function renderFile(files: Map<string, string>, name: string, where: string): string {
  const text = files.get(name);
  if (text === undefined) throw new Error(`${where}: "# file ${name}" is not a file the snippet wrote (files: ${[...files.keys()].join(', ') || 'none'})`);
  return text.trimEnd();
}

/** The document with every synthesized YAML block regenerated. */
export function regenerate(file: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const rel = path.relative(ROOT, file);
  const block = /```ts synth\n([\s\S]*?)```((?:(?!```)[\s\S])*)```yaml\n# ([^\n]*)\n[\s\S]*?```/g;
  return text.replace(block, (_all, code: string, gap: string, selector: string, offset: number) => {
    const where = `${rel}:${text.slice(0, offset).split('\n').length}`;
    const files = new Map<string, string>();
    const objects = runSnippet(code, where, files);
    const yaml = selector.startsWith('file ') ? renderFile(files, selector.slice(5).trim(), where) : render(objects, selector, where);
    return `\`\`\`ts synth\n${code}\`\`\`${gap}\`\`\`yaml\n# ${selector}\n${yaml}\n\`\`\``;
  });
}

if (require.main === module || process.argv.slice(1).some(a => a.endsWith('scripts/docs.ts'))) {
  for (const file of docFiles()) {
    const updated = regenerate(file);
    if (updated !== fs.readFileSync(file, 'utf8')) {
      fs.writeFileSync(file, updated);
      console.log(`docs: updated ${path.relative(ROOT, file)}`);
    }
  }
}
