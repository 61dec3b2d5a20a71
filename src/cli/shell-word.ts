// The printed-command helpers live in core (the daemon prints commands too); the CLI's own imports stay.
export { configFlag, shellWord } from '../core/cli-command.js';
