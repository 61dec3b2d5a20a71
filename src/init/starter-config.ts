/** One starter folder per example product, each with its own inbox, outbox and rule file. */
export interface StarterFolder {
  name: string;
  /** File name in the package's rules/ folder, copied beside the config. */
  rule: string;
  /** One line for the config comment. */
  what: string;
}

export const STARTER_FOLDERS: readonly StarterFolder[] = [
  {
    name: 'old-formats-to-mp4',
    rule: 'old-formats-to-mp4.yaml',
    what: 'Old formats (AVCHD, DVD, WMV, Flash, DV, 3GP, AVI, MKV, WebM…) and MP4s that do not play everywhere become 1080p MP4s (video-converter-best).',
  },
  {
    name: 'mov-to-mp4',
    rule: 'mov-to-mp4.yaml',
    what: 'MOV files become MP4s (video-converter-mov-to-mp4).',
  },
  {
    name: 'promo-clip',
    rule: 'promo-clip.yaml',
    what: 'Footage becomes a short promotional clip (video-to-generator).',
  },
];

export interface StarterConfigOptions {
  /** Absolute path of the package's config.schema.json. */
  schemaPath: string;
  /** Where the inbox/outbox pairs live, as written in the YAML (`~/…`, relative or absolute). */
  videosBase: string;
  /** A state dir of its own (relative to the config), so a demo setup never mixes with a real one. */
  stateDir?: string;
  folders?: readonly StarterFolder[];
}

/** The config `init` writes: valid as is, every line saying what it is for. */
export function renderStarterConfig(opts: StarterConfigOptions): string {
  const folders = opts.folders ?? STARTER_FOLDERS;
  const base = opts.videosBase.replace(/\/+$/, '');
  const at = (name: string, box: string) =>
    yamlString(base === '' || base === '.' ? `${name}/${box}` : `${base}/${name}/${box}`);
  const lines = [
    `# yaml-language-server: $schema=${opts.schemaPath}`,
    '#',
    '# video-inbox starter config, written by `video-inbox init`. `video-inbox validate` checks it and',
    '# its rule files; config.example.yaml in the package explains every other key. Relative paths',
    '# resolve against this file, ~ is your home.',
    '',
    ...(opts.stateDir
      ? [
          '# Journal, lock and API token of this setup, kept apart from any other.',
          `stateDir: ${yamlString(opts.stateDir)}`,
          '',
        ]
      : []),
    '# Jobs in flight across all folders.',
    'concurrency: 3',
    '# A desktop notification when a video is done or needs you: desktop | none.',
    'notify: desktop',
    '',
    '# Drop a video into an inbox: the MP4 appears in its outbox, and what happens to the original',
    '# (archived into the inbox’s _done folder, or kept) is up to the rule file.',
    'folders:',
  ];
  for (const f of folders) {
    lines.push(
      `  # ${f.what}`,
      `  - name: ${yamlString(f.name)}`,
      `    inbox: ${at(f.name, 'inbox')}`,
      `    outbox: ${at(f.name, 'outbox')}`,
      `    rules: ${yamlString(`rules/${f.rule}`)}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** A plain scalar when that is unambiguous, else a double-quoted one (JSON strings are valid YAML). */
export function yamlString(value: string): string {
  const plain = /^[A-Za-z0-9_~/.@+][A-Za-z0-9_~/.@+ -]*$/.test(value) && !value.endsWith(' ');
  // `~` alone, true/null/numbers would be read as something other than a string.
  const special = /^(~|null|true|false|yes|no|on|off|[-+.\d][\d._eE+-]*)$/i.test(value);
  return plain && !special ? value : JSON.stringify(value);
}
