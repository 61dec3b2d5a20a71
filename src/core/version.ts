import { readFileSync } from 'node:fs';

/** The package version, sent as X-Skill-Version; read once from package.json beside the build. */
export const VERSION: string = (() => {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'video-inbox' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate: the source tree and the build sit at different depths
    }
  }
  return '0.0.0';
})();
