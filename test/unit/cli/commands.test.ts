import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commandsToLoad } from '../../../src/cli/commands.js';

describe('commandsToLoad', () => {
  it.each([
    [['--version'], []],
    [['-V'], []],
    [['status', '--json'], ['status']],
    [['explain', 'a.mov', '--config', 'c.yaml'], ['explain']],
    [['service', 'install', '--dry-run'], ['service']],
    [['convert', '--help'], ['convert']],
    // Everything the top-level program answers itself needs every command to be known.
    [[], COMMAND_NAMES],
    [['--help'], COMMAND_NAMES],
    [['help', 'status'], COMMAND_NAMES],
    [['strat'], COMMAND_NAMES],
    [['--config', 'c.yaml', 'status'], COMMAND_NAMES],
  ])('%j loads %j', (args, expected) => {
    expect(commandsToLoad(args)).toEqual([...expected]);
  });

  it('knows every command, once', () => {
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
    expect(COMMAND_NAMES).toEqual(
      expect.arrayContaining(['start', 'convert', 'status', 'validate', 'explain', 'retry', 'credits']),
    );
  });
});
