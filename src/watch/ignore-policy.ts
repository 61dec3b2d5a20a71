// The names the watcher never takes; the policy lives in core so that `status` and `explain` can
// say why a file is left alone without loading the watcher.
export { ignoredNameReason, isIgnoredRelative } from '../core/ignored-names.js';
