import * as fs from 'fs';

/** Removes the schema caches that global-setup.ts wrote for this jest run. */
function globalTeardown(): void {
  const { SOURCES_CACHE, VALIDATOR_CACHE } = require('./schema');
  fs.rmSync(require('./dist').DIST_CACHE, { force: true });
  fs.rmSync(SOURCES_CACHE, { force: true });
  fs.rmSync(VALIDATOR_CACHE, { recursive: true, force: true });
}

// jest's globalTeardown takes the module's export itself (`module.exports = fn`): no default export needed.
export = globalTeardown;
