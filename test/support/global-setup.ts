import * as fs from 'fs';
import * as path from 'path';

/** Parses dist/ and reads and strictifies ../shared's schemas once per jest run; test files load the results as JSON. */
function globalSetup(): void {
  process.env.JEST_SCHEMA_RUN = String(process.pid);
  // Required here (not imported at the top) so the env var above names the cache files.
  const { DIST_CACHE, parseDist } = require('./dist');
  fs.mkdirSync(path.dirname(DIST_CACHE), { recursive: true });
  fs.writeFileSync(DIST_CACHE, JSON.stringify(parseDist()));
  const { SHARED_AVAILABLE, SOURCES_CACHE, VALIDATOR_CACHE, buildSources } = require('./schema');
  if (!SHARED_AVAILABLE) return;
  fs.mkdirSync(VALIDATOR_CACHE, { recursive: true });
  const sources = buildSources();
  fs.writeFileSync(SOURCES_CACHE, JSON.stringify(sources));
  fs.writeFileSync(path.join(VALIDATOR_CACHE, 'by-gvk.json'), JSON.stringify(sources.byGvk));
  // The CRDs' own schemas for the CEL checks (cel.ts), so test files need not parse CRD YAML again.
  fs.writeFileSync(path.join(VALIDATOR_CACHE, 'crd-schemas.json'), JSON.stringify(sources.crdSchemas));
}

// jest's globalSetup takes the module's export itself (`module.exports = fn`): no default export needed.
export = globalSetup;
