import type { Command } from 'commander';

type CommandModule = { register: (program: Command) => void };
/** `alone`: this command is the one that runs (not one of all loaded for --help). */
type LoadCommand = (alone: boolean) => Promise<CommandModule>;

/**
 * Each command lives in its own file and adds itself to the program. The files are imported only
 * when needed: `start` pulls in the watcher, the queue and the HTTP client, none of which
 * `--version`, `status` or `explain` use, and loading them costs most of a second.
 * Listed in the order `--help` shows them.
 */
const COMMANDS: ReadonlyArray<readonly [string, LoadCommand]> = [
  [
    'start',
    async (alone) => {
      // Before the daemon's modules load (see daemon-heap.ts): an idle daemon stays small. Only when
      // the daemon runs: the V8 flag is part of each compiled-code cache entry's key (bin.ts), and
      // set for --help it made the next command rewrite the entries they share.
      if (alone) (await import('../app/daemon-heap.js')).keepYoungGenerationSmall();
      return import('./start.js');
    },
  ],
  ['convert', () => import('./convert.js')],
  ['status', () => import('./status.js')],
  ['validate', () => import('./validate.js')],
  ['explain', () => import('./explain.js')],
  ['retry', () => import('./retry.js')],
  ['credits', () => import('./credits.js')],
  ['init', () => import('./init.js')],
  ['service', () => import('./service.js')],
  ['pause', () => import('./pause.js')],
  ['open', () => import('./open.js')],
];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map(([name]) => name);

/**
 * Which commands a run needs, from its arguments (after `node` and the script): the one it names,
 * none for `--version`, and all of them otherwise, so that `--help`, `help <command>` and the
 * "unknown command, did you mean…" answer stay exactly what they would be with every command loaded.
 * The program has no options of its own besides --version and --help, so the first argument is the
 * command name whenever there is one.
 */
export function commandsToLoad(args: readonly string[]): string[] {
  const first = args[0];
  if (first !== undefined && COMMAND_NAMES.includes(first)) return [first];
  if (first === '-V' || first === '--version') return [];
  return [...COMMAND_NAMES];
}

/** Imports and registers the commands that `args` needs (see commandsToLoad). */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const wanted = new Set(commandsToLoad(args));
  const chosen = COMMANDS.filter(([name]) => wanted.has(name));
  const help = args.includes('--help') || args.includes('-h');
  const modules = await Promise.all(chosen.map(([, load]) => load(chosen.length === 1 && !help)));
  for (const mod of modules) mod.register(program);
}
