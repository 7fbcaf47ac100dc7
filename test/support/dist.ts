/**
 * The example app's committed output, dist/ (test/example.test.ts proves it equals a fresh synth): jest's global setup
 * parses its manifests once per run into a JSON file, which test files read instead of parsing the YAML again.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export const DIST = path.resolve(__dirname, '..', '..', 'dist');
/** Where global setup leaves the parsed manifests of this jest run. */
export const DIST_CACHE = path.join(__dirname, '..', '..', '.cache', `dist-objects.${process.env.JEST_SCHEMA_RUN ?? 'none'}.json`);

/** The manifest files of dist/ (`<chart>.k8s.yaml`), sorted. */
export function distFiles(): string[] {
  return fs.readdirSync(DIST).filter(f => f.endsWith('.k8s.yaml')).sort();
}

/** Parses every manifest of dist/, by file name (what global setup writes). */
export function parseDist(): { [file: string]: any[] } {
  return Object.fromEntries(distFiles().map(f => [f, parseAllDocuments(fs.readFileSync(path.join(DIST, f), 'utf8')).map(d => d.toJS()).filter(Boolean)]));
}

let parsed: { [file: string]: any[] } | undefined;
/** The objects of one manifest of dist/ (`gke-autopilot.k8s.yaml`), or of a chart (`gke-autopilot`). Fresh copies. */
export function distObjects(fileOrChart: string): any[] {
  parsed ??= fs.existsSync(DIST_CACHE) ? JSON.parse(fs.readFileSync(DIST_CACHE, 'utf8')) : parseDist();
  const file = fileOrChart.endsWith('.k8s.yaml') ? fileOrChart : `${fileOrChart}.k8s.yaml`;
  const objects = parsed![file];
  if (!objects) throw new Error(`dist/${file} does not exist (dist/ has ${Object.keys(parsed!).join(', ')})`);
  return JSON.parse(JSON.stringify(objects));
}
