import { describe, expect, it } from 'vitest';
import type { RemoteIds } from '../../../src/domain/work.js';
import { resumePoint } from '../../../src/run/resume-point.js';

describe('resumePoint', () => {
  it.each<[string, { remote: RemoteIds; output?: string }, string | undefined]>([
    ['nothing recorded: not a resume', { remote: {} }, undefined],
    ['a session only: the upload', { remote: { sessionId: 's' } }, 'upload'],
    [
      'uploaded: the instruction',
      { remote: { sessionId: 's', uploaded: [{ cdnUrl: 'u', filename: 'f' }] } },
      'instruct',
    ],
    ['mid-instruction', { remote: { sessionId: 's', instructionStarted: 0 } }, 'instruct'],
    ['a render id: the render', { remote: { sessionId: 's', renderId: 'r' } }, 'render'],
    ['an accepted render: the render', { remote: { renderId: 'r', renderAccepted: true } }, 'render'],
    ['an output URL: the download', { remote: { renderId: 'r', outputUrl: 'http://x' } }, 'download'],
    ['placed already: the source step', { remote: { renderId: 'r' }, output: '/out/a.mp4' }, 'source'],
  ])('%s', (_name, job, from) => {
    expect(resumePoint(job)).toBe(from);
  });
});
