export interface Size {
  width: number;
  height: number;
}

/** Width and height as a player shows them: a quarter-turn swaps the stored dimensions. */
export function displaySize(width: number, height: number, rotation = 0): Size {
  const quarterTurns = Math.round(rotation / 90);
  return quarterTurns % 2 === 0 ? { width, height } : { width: height, height: width };
}

/**
 * The displayed size of the output: fitted to `targetHeight` (never larger unless `upscale`), the
 * aspect ratio kept, both sides even because yuv420p halves the chroma planes and x264 refuses odd
 * sizes.
 */
export function fitSize(display: Size, targetHeight: number, upscale = false): Size {
  const { width, height } = display;
  if (width <= 0 || height <= 0) throw new RangeError(`Cannot fit a ${width}x${height} picture`);
  const wantHeight = upscale || height > targetHeight ? targetHeight : height;
  const outHeight = Math.max(2, floorEven(wantHeight));
  const outWidth = Math.max(2, roundEven((width * outHeight) / height));
  return { width: outWidth, height: outHeight };
}

function floorEven(n: number): number {
  return Math.floor(n / 2) * 2;
}

function roundEven(n: number): number {
  return Math.round(n / 2) * 2;
}
