import * as fs from 'fs';

export default function globalTeardown(): void {
  const { SOURCES_CACHE } = require('./schema');
  fs.rmSync(SOURCES_CACHE, { force: true });
}
