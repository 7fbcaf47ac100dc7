import * as fs from 'fs';

/** Removes the schema cache that global-setup.ts wrote for this jest run. */
function globalTeardown(): void {
  const { SOURCES_CACHE } = require('./schema');
  fs.rmSync(SOURCES_CACHE, { force: true });
}

// jest's globalTeardown takes the module's export itself (`module.exports = fn`): no default export needed.
export = globalTeardown;
