/** Drafts with no segment on any track: the emulator and the client both find nothing to export in them. */
export const EMPTY_DRAFTS: [unknown, false][] = [
  [undefined, false],
  [{}, false],
  [{ t: [] }, false],
  [{ t: [{ tt: 0, sg: [] }] }, false],
];
