/** The version in biostack's package.json, found from this module's location (src/ or dist/src/). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'biostack' && typeof pkg.version === 'string') return pkg.version;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (dir.pathname === '/') throw new Error(`biostack's package.json not found above ${import.meta.url}`);
  }
}
