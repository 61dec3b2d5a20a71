import { describe, expect, it } from 'vitest';
import { displaySize, fitSize } from '../../../../src/engines/local/fit-size.js';

describe('displaySize', () => {
  it.each([
    [1920, 1080, 0, 1920, 1080],
    [1920, 1080, 90, 1080, 1920],
    [1920, 1080, -90, 1080, 1920],
    [1920, 1080, 270, 1080, 1920],
    [1920, 1080, 180, 1920, 1080],
    [1920, 1080, undefined, 1920, 1080],
  ])('%ix%i rotated %s shows as %ix%i', (w, h, rotation, width, height) => {
    expect(displaySize(w, h, rotation)).toEqual({ width, height });
  });
});

describe('fitSize', () => {
  it.each([
    // [width, height, target, upscale, expected width, expected height]
    [1920, 1080, 1080, false, 1920, 1080],
    [1920, 1440, 1080, false, 1440, 1080],
    [3840, 2160, 1080, false, 1920, 1080],
    [320, 240, 1080, false, 320, 240],
    [320, 240, 480, true, 640, 480],
    [321, 241, 1080, false, 320, 240],
    [1080, 1920, 1080, false, 608, 1080],
    [720, 576, 1080, false, 720, 576],
    [1920, 1080, 721, false, 1280, 720],
    [3, 1, 1080, false, 6, 2],
  ])('%ix%i to height %i (upscale %s) is %ix%i', (width, height, target, upscale, w, h) => {
    const out = fitSize({ width, height }, target, upscale);
    expect(out).toEqual({ width: w, height: h });
    expect(out.width % 2).toBe(0);
    expect(out.height % 2).toBe(0);
  });

  it('refuses a picture without a size', () => {
    expect(() => fitSize({ width: 0, height: 1080 }, 1080)).toThrow(RangeError);
  });
});
