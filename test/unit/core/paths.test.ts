import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir, defaultConfigPath, defaultStateDir } from '../../../src/core/paths.js';

const HOME = '/home/ana';

describe('where video-inbox keeps its files', () => {
  it('state: $XDG_STATE_HOME when absolute, else ~/.local/state; macOS Application Support', () => {
    expect(defaultStateDir({}, 'linux', HOME)).toBe(join(HOME, '.local/state/video-inbox'));
    expect(defaultStateDir({ XDG_STATE_HOME: '/srv/state' }, 'linux', HOME)).toBe('/srv/state/video-inbox');
    expect(defaultStateDir({ XDG_STATE_HOME: 'rel/state' }, 'linux', HOME)).toBe(
      join(HOME, '.local/state/video-inbox'),
    );
    expect(defaultStateDir({}, 'darwin', HOME)).toBe(join(HOME, 'Library/Application Support/video-inbox'));
  });

  it('cache: $XDG_CACHE_HOME when absolute, else ~/.cache; macOS ~/Library/Caches', () => {
    expect(defaultCacheDir({}, 'linux', HOME)).toBe(join(HOME, '.cache/video-inbox'));
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/ana' }, 'linux', HOME)).toBe(
      '/var/cache/ana/video-inbox',
    );
    // The XDG spec: a relative path is invalid and ignored.
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'cache' }, 'linux', HOME)).toBe(
      join(HOME, '.cache/video-inbox'),
    );
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, 'darwin', HOME)).toBe(
      join(HOME, 'Library/Caches/video-inbox'),
    );
  });

  it('config: $VIDEO_INBOX_CONFIG, else $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultConfigPath({ VIDEO_INBOX_CONFIG: '/etc/vi.yaml' }, HOME)).toBe('/etc/vi.yaml');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/cfg' }, HOME)).toBe('/cfg/video-inbox/config.yaml');
    expect(defaultConfigPath({}, HOME)).toBe(join(HOME, '.config/video-inbox/config.yaml'));
  });
});
