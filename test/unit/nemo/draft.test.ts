import { describe, expect, it } from 'vitest';
import { draftFingerprint, isExportable, parseState } from '../../../src/engines/nemo/draft.js';
import { EMPTY_DRAFTS } from '../../helpers/draft-cases.js';

describe('isExportable', () => {
  it.each<[unknown, boolean]>([
    ...EMPTY_DRAFTS,
    [
      {
        t: [
          { tt: 1, sg: [] },
          { tt: 0, sg: [{ id: 's' }] },
        ],
      },
      true,
    ],
    [{ t: [{ tt: 7, sg: [{ text: 'x' }] }] }, true],
    [{ t: 'nope' }, false],
  ])('%j → %s', (draft, expected) => {
    expect(isExportable(draft as never)).toBe(expected);
  });
});

describe('parseState', () => {
  it('reads data.state', () => {
    const state = parseState({
      session_id: '1',
      state: {
        draft: { t: [], d: 0, m: {} },
        video_infos: [{ a: 1 }],
        generated_media: [],
        canvas_config: { w: 1 },
      },
    });
    expect(state).toEqual({
      draft: { t: [], d: 0, m: {} },
      videoInfos: [{ a: 1 }],
      generatedMedia: [],
      canvasConfig: { w: 1 },
    });
  });

  it('refuses an answer without a state', () => {
    expect(parseState({ hello: 1 })).toBeUndefined();
  });

  it('fingerprints drafts by content', () => {
    expect(draftFingerprint({ t: [] })).toBe(draftFingerprint({ t: [] }));
    expect(draftFingerprint({ t: [] })).not.toBe(draftFingerprint({ t: [{ sg: [1] }] }));
  });
});
