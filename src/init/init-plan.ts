import { VideoInboxError } from '../core/errors.js';
import { join } from 'node:path';
import { withSchemaHeader } from './schema-header.js';
import { renderStarterConfig, STARTER_FOLDERS, type StarterFolder } from './starter-config.js';

export interface InitInput {
  /** The config file to write (…/config.yaml). */
  configPath: string;
  /** The folder holding the config; rules/ goes beside it. */
  configDir: string;
  /** Absolute folder for the inbox/outbox pairs. */
  videosDir: string;
  /** How the config spells videosDir (`~/Videos/video-inbox`, or '.' when it is the config dir). */
  videosBaseInYaml: string;
  /** The package's docs/schema/ folder (absolute). */
  schemaDir: string;
  /** Text of each example rule from the package's rules/ folder, by file name. */
  ruleTexts: Record<string, string>;
  folders?: readonly StarterFolder[];
}

export interface InitPlan {
  dirs: string[];
  files: { path: string; content: string }[];
  /** The first folder's inbox and outbox, for the next steps. */
  example: { inbox: string; outbox: string };
}

/** Everything `init` creates, computed without touching anything. */
export function planInit(input: InitInput): InitPlan {
  const folders = input.folders ?? STARTER_FOLDERS;
  const rulesDir = join(input.configDir, 'rules');
  const ruleSchema = join(input.schemaDir, 'rule.schema.json');
  const dirs = [
    input.configDir,
    rulesDir,
    ...folders.flatMap((f) => [
      join(input.videosDir, f.name, 'inbox'),
      join(input.videosDir, f.name, 'outbox'),
    ]),
  ];
  const files = [
    {
      path: input.configPath,
      content: renderStarterConfig({
        schemaPath: join(input.schemaDir, 'config.schema.json'),
        videosBase: input.videosBaseInYaml,
        stateDir: input.videosBaseInYaml === '.' ? 'state' : undefined,
        folders,
      }),
    },
    ...folders.map((f) => {
      const text = input.ruleTexts[f.rule];
      if (text === undefined) throw new VideoInboxError('INTERNAL', `No text for the example rule ${f.rule}`);
      return { path: join(rulesDir, f.rule), content: withSchemaHeader(text, ruleSchema) };
    }),
  ];
  const first = folders[0];
  const example = first
    ? {
        inbox: join(input.videosDir, first.name, 'inbox'),
        outbox: join(input.videosDir, first.name, 'outbox'),
      }
    : { inbox: input.videosDir, outbox: input.videosDir };
  return { dirs, files, example };
}
