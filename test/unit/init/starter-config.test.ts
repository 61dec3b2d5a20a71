import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { findPackageRoot } from '../../../src/init/package-root.js';
import { withSchemaHeader } from '../../../src/init/schema-header.js';
import { renderStarterConfig, STARTER_FOLDERS, yamlString } from '../../../src/init/starter-config.js';

describe('withSchemaHeader', () => {
  it.each<[string, string, string]>([
    [
      'replaces the package’s relative header',
      '# yaml-language-server: $schema=../docs/x.json\nskill: a\n',
      '# yaml-language-server: $schema=/p/s.json\nskill: a\n',
    ],
    [
      'adds one when there is none',
      '# a rule\nskill: a\n',
      '# yaml-language-server: $schema=/p/s.json\n# a rule\nskill: a\n',
    ],
    [
      'keeps CRLF files whole',
      '# yaml-language-server: $schema=x\r\nskill: a\r\n',
      '# yaml-language-server: $schema=/p/s.json\nskill: a\r\n',
    ],
    ['an empty file', '', '# yaml-language-server: $schema=/p/s.json\n'],
  ])('%s', (_name, text, expected) => {
    expect(withSchemaHeader(text, '/p/s.json')).toBe(expected);
  });
});

describe('yamlString', () => {
  it.each<[string, string]>([
    ['~/Videos/video-inbox/mov/inbox', '~/Videos/video-inbox/mov/inbox'],
    ['/home/ann/My Videos/in', '/home/ann/My Videos/in'],
    ['/home/ann/a: b', '"/home/ann/a: b"'],
    ['/home/ann/#tag', '"/home/ann/#tag"'],
    ['~', '"~"'],
    ['123', '"123"'],
    ['true', '"true"'],
    ['- x', '"- x"'],
    ['trailing ', '"trailing "'],
  ])('%j → %s, which YAML reads back as the same string', (value, expected) => {
    expect(yamlString(value)).toBe(expected);
    expect(parse(`k: ${yamlString(value)}`)).toEqual({ k: value });
  });
});

describe('renderStarterConfig', () => {
  it('is a valid config with one folder per example product', () => {
    const text = renderStarterConfig({
      schemaPath: '/pkg/docs/schema/config.schema.json',
      videosBase: '~/Videos/video-inbox',
    });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=/pkg/docs/schema/config.schema.json');
    const result = parseConfig(text, '/home/ann/.config/video-inbox/config.yaml', {}, { home: '/home/ann' });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.folders.map((f) => [f.name, f.inbox, f.outbox, f.rules])).toEqual(
      STARTER_FOLDERS.map((f) => [
        f.name,
        `/home/ann/Videos/video-inbox/${f.name}/inbox`,
        `/home/ann/Videos/video-inbox/${f.name}/outbox`,
        `/home/ann/.config/video-inbox/rules/${f.rule}`,
      ]),
    );
  });

  it('with videos beside the config, uses paths relative to it', () => {
    const text = renderStarterConfig({ schemaPath: '/s.json', videosBase: '.' });
    const result = parseConfig(text, '/data/vi/config.yaml', {}, { home: '/home/ann' });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.folders[1]).toMatchObject({
      inbox: '/data/vi/mov-to-mp4/inbox',
      outbox: '/data/vi/mov-to-mp4/outbox',
    });
  });
});

describe('findPackageRoot', () => {
  it('finds the repository from a file inside it, and nothing from outside', () => {
    const here = fileURLToPath(import.meta.url);
    const root = findPackageRoot(here);
    expect(root).toBe(join(here, '..', '..', '..', '..'));
    expect(findPackageRoot('/definitely/not/a/package/file.js')).toBeUndefined();
  });
});
