/**
 * Checks YAML manifests as the API server and kubectl would see them (used by scripts/package-test.sh on the YAML of
 * the hostile inputs that synthesized): every object strictly valid against the upstream schemas in ../shared
 * (skipped, loudly, without it), object names and label keys/values that the API server accepts, no plain scalar that
 * go-yaml v2 reads as another type than the string written, no two objects of one kind, namespace and name.
 *
 *   node scripts/run-ts.js scripts/check-manifests.ts <dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, visit } from 'yaml';
import { goYamlV2Resolve } from '../test/support/go-yaml-v2';
import { schemaErrors, warnIfNoSchemas } from '../test/support/schema';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Kinds whose names are DNS-1035 labels (Services) or DNS-1123 labels; every other name is a DNS-1123 subdomain. */
const DNS1035_KINDS = new Set(['Service', 'InferenceService']);
const LABEL_KINDS = new Set(['Namespace']);

function labelKeyOk(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  return (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) && name.length <= 63 && LABEL_NAME.test(name);
}

/** The problems of one object. */
export function manifestProblems(obj: any, where: string): string[] {
  const out: string[] = [];
  const name = obj?.metadata?.name;
  const what = `${where}: ${obj?.kind} ${name}`;
  if (typeof name !== 'string') {
    out.push(`${what}: no metadata.name`);
  } else if (DNS1035_KINDS.has(obj.kind) ? !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63
    : LABEL_KINDS.has(obj.kind) ? !DNS_LABEL.test(name) || name.length > 63 : !DNS_SUBDOMAIN.test(name) || name.length > 253) {
    out.push(`${what}: metadata.name is not a valid name for its kind`);
  }
  const ns = obj?.metadata?.namespace;
  if (ns !== undefined && (!DNS_LABEL.test(ns) || ns.length > 63)) out.push(`${what}: metadata.namespace ${ns} is not a DNS label`);
  const labelMaps: [string, any][] = [];
  const collect = (node: any, p: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((n, i) => collect(n, `${p}[${i}]`)); return; }
    for (const [k, v] of Object.entries(node)) {
      const map = v && typeof v === 'object' && !Array.isArray(v);
      // Label maps: labels, matchLabels, nodeSelector, and a Service's selector (a flat map of strings).
      if (map && (['labels', 'matchLabels', 'nodeSelector'].includes(k) || (k === 'selector' && Object.values(v).every(x => typeof x === 'string')))) {
        labelMaps.push([`${p}.${k}`, v]);
      } else {
        collect(v, `${p}.${k}`);
      }
    }
  };
  collect(obj, '');
  const numbers = (node: any, p: string): void => {
    if (typeof node === 'number' && (!Number.isFinite(node) || Math.abs(node) > Number.MAX_SAFE_INTEGER)) out.push(`${what}: ${p} is ${node}, which no API field holds`);
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) numbers(v, `${p}.${k}`);
  };
  numbers(obj, '');
  for (const [p, labels] of labelMaps) {
    for (const [k, v] of Object.entries<any>(labels)) {
      if (!labelKeyOk(k)) out.push(`${what}: ${p} has an invalid label key ${JSON.stringify(k)}`);
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${what}: ${p}[${JSON.stringify(k)}] has an invalid label value`);
    }
  }
  if (warnIfNoSchemas()) out.push(...schemaErrors(obj).map(e => `${what}: ${e}`));
  return out;
}

/** The problems of a YAML stream. */
export function yamlProblems(text: string, where: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length) out.push(`${where}: YAML errors: ${doc.errors.map(e => e.message).join('; ')}`);
    visit(doc, {
      Scalar: (_k, node) => {
        const tag = node.type === 'PLAIN' && typeof node.value === 'string' ? goYamlV2Resolve(String(node.source)) : 'str';
        if (tag !== 'str' && tag !== 'timestamp') out.push(`${where}: the string ${JSON.stringify(node.value)} is written plain; kubectl reads it as ${tag}`);
      },
    });
    const obj = doc.toJS();
    if (!obj) continue;
    const key = `${obj.apiVersion}/${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
    if (seen.has(key)) out.push(`${where}: duplicate object ${key}`);
    seen.add(key);
    out.push(...manifestProblems(obj, where));
  }
  return out;
}

if (process.argv.slice(1).some(a => a.endsWith('scripts/check-manifests.ts'))) {
  const dir = process.argv[process.argv.length - 1];
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort();
  let objects = 0;
  const problems: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    objects += parseAllDocuments(text).length;
    problems.push(...yamlProblems(text, `${f} (${text.split('\n')[0].replace(/^# /, '')})`));
  }
  console.log(`check-manifests: ${files.length} files, ${objects} objects`);
  if (problems.length) {
    console.log(`check-manifests: ${problems.length} PROBLEMS:\n  ${problems.slice(0, 200).join('\n  ')}`);
    process.exit(1);
  }
  console.log('check-manifests: OK: every object schema-valid, names and labels the API server accepts, no misread string, no duplicate');
}
