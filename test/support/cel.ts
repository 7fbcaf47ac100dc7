/**
 * The CEL rules (`x-kubernetes-validations`) of the upstream CRDs, evaluated on synthesized objects as the API server
 * evaluates them: `self` is the node the rule sits on, schema defaults are applied first, integers are CEL ints, and
 * transition rules (those reading `oldSelf`) are skipped because a created object has no old self. The strict schema
 * check (schema.ts) ignores these rules; this checks them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CelResult, CelScalar, celEnv, celError, celMethod, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parseAllDocuments } from 'yaml';
import { SHARED_DIR, VALIDATOR_CACHE } from './schema';

interface Rule { readonly rule: string; readonly message?: string }

/**
 * Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): `s.find(re)` is the first match or "",
 * `s.findAll(re)` every match. Karpenter's NodePool rules use `find`. JavaScript regexes stand in for RE2 here (the
 * patterns of the rules are in their common subset).
 */
const K8S_FUNCS = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, re: string) {
    return new RegExp(re).exec(this)?.[0] ?? '';
  }),
];

const crdCache = new Map<string, any>();

/** The CEL environment of the API server's rules, and each rule parsed and planned once (as `run` would, every time). */
const ENV = celEnv({ funcs: [...strings, ...K8S_FUNCS] });
const programs = new Map<string, (ctx: { self: any }) => CelResult>();
function evaluate(rule: string, self: any): CelResult {
  try {
    let program = programs.get(rule);
    if (!program) programs.set(rule, (program = plan(ENV, parse(rule)) as (ctx: { self: any }) => CelResult));
    return program({ self });
  } catch (e) {
    return celError(e);
  }
}

/** The openAPIV3Schema of `apiVersion`/`kind` in ../shared/crds, or undefined for kinds without a CRD there. */
function schemaOf(apiVersion: string, kind: string): any {
  const key = `${apiVersion}/${kind}`;
  if (crdCache.has(key)) return crdCache.get(key);
  // Global setup leaves every CRD's schema of this jest run in one JSON file.
  const index = path.join(VALIDATOR_CACHE, 'crd-schemas.json');
  if (crdCache.size === 0 && fs.existsSync(index)) {
    for (const [gvk, schema] of JSON.parse(fs.readFileSync(index, 'utf8')) as [string, any][]) crdCache.set(gvk, schema);
    if (!crdCache.has(key)) crdCache.set(key, undefined);
    return crdCache.get(key);
  }
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let found: any;
  const dir = path.join(SHARED_DIR, 'crds');
  // CRD files are named <group>_<plural>.yaml: read the likely plural first, then the other files of the group.
  const likely = `${group}_${kind.toLowerCase()}s.yaml`;
  const files = fs.readdirSync(dir).filter(f => group && f.startsWith(`${group}_`) && f.endsWith('.yaml'))
    .sort((a, b) => Number(b === likely) - Number(a === likely));
  for (const file of files) {
    if (found) break;
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd: any = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec.names.kind !== kind) continue;
      found = crd.spec.versions.find((v: any) => v.name === version)?.schema?.openAPIV3Schema;
    }
  }
  crdCache.set(key, found);
  return found;
}

/** A CEL value of a JSON value under its schema: integers become CEL ints (bigint), as the API server types them. */
function celValue(value: any, schema: any): any {
  if (value === null || value === undefined || !schema) return value;
  if (schema.type === 'integer' && typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map(v => celValue(v, schema.items));
  if (typeof value === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      out[k] = celValue(v, sub);
    }
    return out;
  }
  return value;
}

/** Applies the schema's defaults to a copy of `value`, as the API server does before validating. */
function withDefaults(value: any, schema: any): any {
  if (!schema || value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(v => withDefaults(v, schema.items));
  if (typeof value !== 'object') return value;
  const out: any = { ...value };
  for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = JSON.parse(JSON.stringify(sub.default));
    if (out[k] !== undefined) out[k] = withDefaults(out[k], sub);
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const k of Object.keys(out)) if (!(k in (schema.properties ?? {}))) out[k] = withDefaults(out[k], schema.additionalProperties);
  }
  return out;
}

/** Every rule failure in `value` (already defaulted) under `schema`, each with where it is. */
function failures(value: any, schema: any, where: string, out: string[], counter: { rules: number }): void {
  if (!schema || value === undefined || value === null) return;
  for (const r of (schema['x-kubernetes-validations'] ?? []) as Rule[]) {
    if (/\boldSelf\b/.test(r.rule)) continue;
    counter.rules++;
    const result = evaluate(r.rule, celValue(value, schema));
    if (isCelError(result)) out.push(`${where}: rule ${JSON.stringify(r.rule)} failed to evaluate: ${result.message}`);
    else if (result !== true) out.push(`${where}: ${r.message ?? 'rule failed'} (rule ${JSON.stringify(r.rule)})`);
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => failures(v, schema.items, `${where}[${i}]`, out, counter));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      failures(v, sub, `${where}.${k}`, out, counter);
    }
  }
}

/**
 * The CEL rule failures of one object of a CRD kind (empty when every rule holds), and how many rules were evaluated.
 * Objects of kinds without a CRD in ../shared/crds have no rules.
 */
export function celCheck(obj: any): { failures: string[]; rules: number } {
  const schema = schemaOf(obj.apiVersion, obj.kind);
  if (!schema) return { failures: [], rules: 0 };
  const out: string[] = [];
  const counter = { rules: 0 };
  failures(withDefaults(obj, schema), schema, `${obj.kind}/${obj.metadata?.name}`, out, counter);
  return { failures: out, rules: counter.rules };
}

/** Asserts that every CEL rule of every object holds; returns how many rules were evaluated. */
export function expectCelRulesHold(objects: any[]): number {
  let rules = 0;
  const problems: string[] = [];
  for (const o of objects) {
    const r = celCheck(o);
    rules += r.rules;
    problems.push(...r.failures);
  }
  if (problems.length) throw new Error(`CEL rules broken:\n  ${problems.join('\n  ')}`);
  return rules;
}
