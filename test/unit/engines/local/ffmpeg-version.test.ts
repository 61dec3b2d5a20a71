import { describe, expect, it } from 'vitest';
import {
  featuresFor,
  hasToneMapFilters,
  parseFfmpegVersion,
} from '../../../../src/engines/local/ffmpeg-version.js';

describe('ffmpeg version and features', () => {
  it.each([
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026', '-fps_mode'],
    ['ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright', '-vsync'],
    ['ffmpeg version 5.0.1 Copyright', '-vsync'],
    ['ffmpeg version n6.1 Copyright', '-fps_mode'],
    ['ffmpeg version 9.0.1-full_build-www.gyan.dev Copyright', '-fps_mode'],
    ['ffmpeg version N-125875-g5d4d3bdc61 Copyright', '-fps_mode'],
    ['', '-fps_mode'],
  ])('%j → %s', (text, flag) => {
    expect(featuresFor(parseFfmpegVersion(text)).vfrFlag).toBe(flag);
  });

  it('reads major and minor', () => {
    expect(parseFfmpegVersion('ffmpeg version 7.1.1 Copyright')).toEqual({ major: 7, minor: 1 });
  });

  it.each([
    [' .SC zscale            V->V       Apply resizing\n .S. tonemap           V->V       Conversion', true],
    [' .S. tonemap           V->V       Conversion\n ... tonemap_opencl    V->V  x', false],
    [' .SC zscale            V->V       Apply\n ... tonemap_opencl    V->V  x', false],
    ['', false],
  ])('tone map available in %j: %s', (text, available) => {
    expect(hasToneMapFilters(text)).toBe(available);
  });
});
