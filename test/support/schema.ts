/**
 * Strict schema validation of synthesized objects, as `kubeconform -strict` does: unknown fields are errors.
 * Kubernetes kinds validate against ../shared/k8s-schemas (the OpenAPI definitions of the cdk8s-plus-28 API level and
 * of a current cluster), CRD kinds against the openAPIV3Schema of ../shared/crds. Nothing is copied into the project.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { parseAllDocuments } from 'yaml';

export const SHARED_DIR = path.resolve(process.env.SHARED_DIR ?? path.join(__dirname, '..', '..', '..', 'shared'));
export const SHARED_AVAILABLE = fs.existsSync(path.join(SHARED_DIR, 'k8s-schemas')) && fs.existsSync(path.join(SHARED_DIR, 'crds'));
/** Kubernetes versions every core object must be valid for: the API level of cdk8s-plus-28 and a current release. */
export const K8S_VERSIONS = ['v1.28.0', 'v1.33.0'];

let warned = false;
/** Says once, loudly, that schema checks are skipped because ../shared is absent. */
export function warnIfNoSchemas(): boolean {
  if (!SHARED_AVAILABLE && !warned) {
    warned = true;
    process.stderr.write(`\n[schema] ${SHARED_DIR} is absent: strict schema checks are SKIPPED (everything else still runs)\n`);
  }
  return SHARED_AVAILABLE;
}

/** Adds `additionalProperties: false` wherever a schema lists properties and says nothing about extra ones. */
function strictify(node: any, crd: boolean): any {
  if (Array.isArray(node)) return node.map(n => strictify(n, crd));
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    // Schema annotations go; a *property* named "description" (e.g. PriorityClass.description) is an object and stays.
    if ((k === 'description' && typeof v === 'string') || k === 'x-kubernetes-group-version-kind') continue;
    out[k] = strictify(v, crd);
  }
  if (crd) {
    // Go's inline flag `(?i)` (PrometheusRule's partial_response_strategy, Kueue AdmissionCheck's parameters.kind) is no
    // JavaScript syntax: the pattern is rewritten to match either case, as the API server does.
    if (typeof out.pattern === 'string' && out.pattern.includes('(?i)')) out.pattern = caseInsensitive(out.pattern.replace('(?i)', ''));
    if (out['x-kubernetes-int-or-string']) {
      delete out.type;
      out.anyOf = [{ type: 'string' }, { type: 'integer' }];
    }
    if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    for (const key of Object.keys(out)) if (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-preserve-unknown-fields') delete out[key];
  }
  const preserve = out['x-kubernetes-preserve-unknown-fields'] === true;
  delete out['x-kubernetes-preserve-unknown-fields'];
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

/**
 * A regular expression that matches what `pattern` matches in either case: letters become `[xX]`, and letter ranges in
 * character classes gain their other case (`[a-z]` -> `[a-zA-Z]`). Escapes are kept as they are.
 */
export function caseInsensitive(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { out += c + (pattern[i + 1] ?? ''); i++; continue; }
    if (inClass) {
      if (c === ']') { inClass = false; out += c; continue; }
      const range = /^([a-zA-Z])-([a-zA-Z])/.exec(pattern.slice(i));
      if (range) {
        const other = (x: string) => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
        out += `${range[0]}${other(range[1])}-${other(range[2])}`;
        i += 2;
        continue;
      }
      out += /[a-zA-Z]/.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
      continue;
    }
    if (c === '[') { inClass = true; out += c; continue; }
    out += /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

interface Registry { ajv: Ajv; byGvk: Map<string, string[]> }
let registry: Registry | undefined;

interface Sources { schemas: any[]; byGvk: [string, string[]][]; crdSchemas: [string, any][] }

/** Reads ../shared once into the schemas AJV needs (strictified), keyed by apiVersion/kind. */
export function buildSources(): Sources {
  const schemas: any[] = [];
  const byGvk = new Map<string, string[]>();
  const add = (gvk: string, ref: string) => byGvk.set(gvk, [...(byGvk.get(gvk) ?? []), ref]);
  for (const version of K8S_VERSIONS) {
    const raw = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'k8s-schemas', version, '_definitions.json'), 'utf8'));
    for (const [name, def] of Object.entries<any>(raw.definitions)) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = g.group ? `${g.group}/${g.version}` : g.version;
        add(`${apiVersion}/${g.kind}`, `k8s-${version}#/definitions/${name}`);
      }
    }
    schemas.push({ $id: `k8s-${version}`, definitions: strictify(raw.definitions, false) });
  }
  const objectMeta = `k8s-${K8S_VERSIONS[K8S_VERSIONS.length - 1]}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
  // Each CRD version's own openAPIV3Schema, as written (CEL rules and defaults included), for cel.ts.
  const crdSchemas: [string, any][] = [];
  const crdDir = path.join(SHARED_DIR, 'crds');
  for (const file of fs.readdirSync(crdDir).filter(f => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdDir, file), 'utf8'))) {
      const crd: any = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        crdSchemas.push([`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema?.openAPIV3Schema]);
        const schema = strictify(v.schema?.openAPIV3Schema ?? {}, true);
        // Every object carries apiVersion/kind; some CRDs (GKE ManagedCertificate) omit them from their schema.
        schema.properties = {
          ...(schema.properties ?? {}),
          apiVersion: { type: 'string', enum: [`${crd.spec.group}/${v.name}`] },
          kind: { type: 'string', enum: [crd.spec.names.kind] },
          metadata: { $ref: objectMeta },
        };
        const id = `crd-${crd.spec.group}-${v.name}-${crd.spec.names.kind}`;
        schemas.push({ $id: id, ...schema });
        add(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, id);
        // GMP ClusterRules (cluster-scoped Rules) has no CRD in ../shared/crds; its spec is the Rules spec (the same Go
        // type, RulesSpec, in prometheus-engine), so it is checked against the Rules schema until the CRD is added.
        if (crd.spec.group === 'monitoring.googleapis.com' && v.name === 'v1' && crd.spec.names.kind === 'Rules') {
          const alias = 'crd-monitoring.googleapis.com-v1-ClusterRules-as-Rules';
          schemas.push({ ...schema, $id: alias, properties: { ...schema.properties, kind: { type: 'string', enum: ['ClusterRules'] } } });
          add('monitoring.googleapis.com/v1/ClusterRules', alias);
        }
      }
    }
  }
  return { schemas, byGvk: [...byGvk.entries()], crdSchemas };
}

/** Where jest's global setup leaves the sources, so each test file skips the 5 MB of CRD YAML. */
export const SOURCES_CACHE = path.join(__dirname, '..', '..', '.cache', `schema-sources.${process.env.JEST_SCHEMA_RUN ?? 'none'}.json`);
/**
 * Where the validators compiled in this jest run are kept as AJV standalone code: compiling a schema (up to 3 s for
 * KServe's InferenceService) is the costliest part of a check, and every test file runs in a fresh module registry.
 */
export const VALIDATOR_CACHE = path.join(__dirname, '..', '..', '.cache', `schema-validators.${process.env.JEST_SCHEMA_RUN ?? 'none'}`);

function load(): Registry {
  if (registry) return registry;
  const sources: Sources = fs.existsSync(SOURCES_CACHE) ? JSON.parse(fs.readFileSync(SOURCES_CACHE, 'utf8')) : buildSources();
  // Not optimized: compiling is most of the cost, and the unoptimized code validates about as fast for objects this size.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { source: true, optimize: false } });
  for (const schema of sources.schemas) ajv.addSchema(schema);
  registry = { ajv, byGvk: new Map(sources.byGvk) };
  return registry;
}

let byGvk: Map<string, string[]> | undefined;
/** The schema refs of one apiVersion/kind, from global setup's small index when there is one. */
function refsOf(gvk: string): string[] | undefined {
  if (!byGvk) {
    const index = `${VALIDATOR_CACHE}/by-gvk.json`;
    byGvk = fs.existsSync(index) ? new Map(JSON.parse(fs.readFileSync(index, 'utf8'))) : load().byGvk;
  }
  return byGvk.get(gvk);
}

const validators = new Map<string, ValidateFunction>();
/** The validator of one schema ref: compiled once per jest run, then loaded from its standalone code. */
function validatorFor(ref: string): ValidateFunction {
  let fn = validators.get(ref);
  if (fn) return fn;
  const file = path.join(VALIDATOR_CACHE, `${ref.replace(/[^A-Za-z0-9.-]/g, '_')}.js`);
  if (fs.existsSync(file)) {
    const mod = { exports: {} as any };
    new Function('module', 'exports', 'require', fs.readFileSync(file, 'utf8'))(mod, mod.exports, require);
    fn = mod.exports as ValidateFunction;
  } else {
    const reg = load();
    fn = reg.ajv.compile({ $ref: ref });
    if (fs.existsSync(VALIDATOR_CACHE)) {
      // Written whole under a temporary name, then renamed: the other worker may read it at any moment.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, standaloneCode(reg.ajv, fn));
      fs.renameSync(tmp, file);
    }
  }
  validators.set(ref, fn);
  return fn;
}

/** Returns the strict-schema problems of one object (empty when valid). Throws if ../shared is absent. */
export function schemaErrors(obj: any): string[] {
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const refs = refsOf(gvk);
  if (!refs) return [`no schema for ${gvk}: the library may only emit kinds with an upstream schema`];
  const out: string[] = [];
  for (const ref of refs) {
    const fn = validatorFor(ref);
    if (!fn(obj)) {
      for (const e of fn.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (unknown field "${(e.params as any).additionalProperty}")` : '';
        out.push(`${ref.split('#')[0]}: ${obj.kind}/${obj.metadata?.name}${e.instancePath} ${e.message}${extra}`);
      }
    }
  }
  return [...new Set(out)];
}

/** Asserts every object is strictly schema-valid (no-op, with a warning, when ../shared is absent). */
export function expectSchemaValid(objects: any[]): void {
  if (!warnIfNoSchemas()) return;
  const problems = objects.flatMap(o => schemaErrors(o));
  if (problems.length) throw new Error(`strict schema validation failed:\n  ${problems.join('\n  ')}`);
}
