import { FIRST_BOXES, withReadAt, type ReadAt } from './atom-order.js';

/**
 * What an MP4's index (its `moov` box) says of the file, read in-process: the movie's duration and,
 * per track, its kind, its sample entry (the codec's four-character code) and, for video, the coded
 * size; for MPEG-4 audio, the object type (0x40: AAC). Enough to check that a file the local engine
 * made by copying known streams (a remux) holds them, without a second ffprobe. It reads no media.
 */
export interface Mp4Index {
  /** mvhd's duration over its timescale; undefined when the index gives none. */
  durationSec: number | undefined;
  tracks: Mp4Track[];
}

export interface Mp4Track {
  /** hdlr's handler type: 'vide', 'soun', 'text', 'tmcd'… */
  handler: string;
  /** The first sample entry's type: 'avc1', 'hvc1', 'mp4a'…; undefined when there is none. */
  sampleEntry: string | undefined;
  /** Visual sample entries: the coded width and height. */
  width?: number;
  height?: number;
  /** mp4a: the esds decoder config's objectTypeIndication (0x40 MPEG-4 audio, 0x6b MP3…). */
  objectType?: number;
  /** avc1/avc3: avcC's AVCProfileIndication (66, 77, 100, 110…); hvc1/hev1: hvcC's general_profile_idc. */
  profileIdc?: number;
  /** A `colr` box of type nclx (or QuickTime's nclc): its transfer characteristics (1 BT.709, 16 PQ, 18 HLG). */
  transfer?: number;
}

/** Indexes larger than this are left to ffprobe (a 2-hour 60 fps video's is about 5 MB). */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_TOP_BOXES = 64;

/**
 * The index of the ISO media file that `read` reads, or undefined when it is not one, has no moov,
 * has a moov larger than MAX_INDEX_BYTES, is fragmented (its samples are not all in the moov), has a
 * track with other than one sample entry, or its boxes do not parse: the caller then asks ffprobe.
 */
export async function readMp4Index(read: ReadAt, fileSize: number): Promise<Mp4Index | undefined> {
  // An MP4 starts with its file type.
  const moov = await readMoov(read, fileSize, ['ftyp']);
  return moov && parseMoov(moov.body);
}

/**
 * The top-level moov box of the file `read` reads: its whole size and its body. Undefined when the
 * first box is not one of `firstBoxes`, the boxes do not parse, there is no moov among the first
 * MAX_TOP_BOXES, or its body is larger than MAX_INDEX_BYTES or cut short.
 */
async function readMoov(
  read: ReadAt,
  fileSize: number,
  firstBoxes: readonly string[],
): Promise<{ size: number; body: Buffer } | undefined> {
  let offset = 0;
  for (let i = 0; i < MAX_TOP_BOXES && offset + 8 <= fileSize; i++) {
    const box = boxHeader(await read(offset, 16), 0, fileSize - offset);
    if (!box || (i === 0 && !firstBoxes.includes(box.type))) return undefined;
    if (box.type === 'moov') {
      const bodySize = box.size - box.headerSize;
      if (bodySize > MAX_INDEX_BYTES) return undefined;
      const body = await read(offset + box.headerSize, bodySize);
      return body.length === bodySize ? { size: box.size, body } : undefined;
    }
    offset += box.size;
  }
  return undefined;
}

/**
 * Room enough for the index of a stream copy of this file, in bytes, to reserve at its front
 * (ffmpeg's `-moov_size`): ffmpeg then writes the index there and need not move the whole file
 * behind it afterwards, as `+faststart` does (a second read and write of every byte). Undefined
 * when the file gives no basis for a bound: not ISO media, no moov, a fragmented file, an index over
 * MAX_INDEX_BYTES, or a bound over it; and too little room only costs a second run with `+faststart`.
 *
 * The copy keeps the first video and the first audio track (the engine's `-map 0:V:0 -map 0:a:0?`),
 * so only their samples count: a second, PCM track (one sample per audio frame) would count millions.
 * Its index holds at most the source's tables, but may cut its chunks finer, need 64-bit offsets and
 * time audio on another scale: at most 24 more bytes per copied sample (a chunk offset, a
 * sample-to-chunk entry, a time entry), plus the source's index and 64 KiB for the rest.
 */
export async function readRemuxIndexRoom(read: ReadAt, fileSize: number): Promise<number | undefined> {
  // A QuickTime MOV may start with another box than ftyp (wide, mdat, moov…).
  const moov = await readMoov(read, fileSize, FIRST_BOXES);
  const samples = moov && copiedSamples(moov.body);
  if (!moov || samples === undefined) return undefined;
  const room = moov.size + 24 * samples + 64 * 1024;
  return room <= MAX_INDEX_BYTES ? room : undefined;
}

/** readRemuxIndexRoom on a file on disk. */
export function remuxIndexRoomOfFile(path: string): Promise<number | undefined> {
  return withReadAt(path, readRemuxIndexRoom);
}

/**
 * The samples of the first video and the first audio track together (their stbl's stsz or stz2),
 * or undefined for a fragmented file, one without a video track, or a track whose tables do not parse.
 */
function copiedSamples(moov: Buffer): number | undefined {
  try {
    const boxes = children(moov);
    if (!boxes || boxes.has('mvex')) return undefined;
    const counted = new Set<string>();
    let total = 0;
    for (const trak of boxes.get('trak') ?? []) {
      const mdia = only(children(trak), 'mdia');
      const mdiaBoxes = mdia && children(mdia);
      const handler = only(mdiaBoxes, 'hdlr')?.toString('latin1', 8, 12);
      if ((handler !== 'vide' && handler !== 'soun') || counted.has(handler)) continue;
      counted.add(handler);
      const minf = only(mdiaBoxes, 'minf');
      const stbl = minf && only(children(minf), 'stbl');
      const tables = stbl && children(stbl);
      // stsz and stz2 alike: version and flags, 4 bytes (sample size, or field size), the count.
      const sizes = only(tables, 'stsz') ?? only(tables, 'stz2');
      if (!sizes) return undefined;
      total += sizes.readUInt32BE(8);
    }
    // No video track read: nothing to bound (an old QuickTime file's compressed index, `cmov`, hides
    // its tracks).
    return counted.has('vide') ? total : undefined;
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/** readMp4Index on a file on disk. */
export function mp4IndexOfFile(path: string): Promise<Mp4Index | undefined> {
  return withReadAt(path, readMp4Index);
}

interface BoxHeader {
  type: string;
  /** The whole box, header included. */
  size: number;
  headerSize: number;
}

/** The box header at `at` in `buf`, if it is one that fits in `room` bytes. */
function boxHeader(buf: Buffer, at: number, room: number): BoxHeader | undefined {
  if (at + 8 > buf.length) return undefined;
  let size = buf.readUInt32BE(at);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > buf.length) return undefined;
    size = Number(buf.readBigUInt64BE(at + 8));
    headerSize = 16;
  } else if (size === 0) {
    size = room; // to the end of its parent
  }
  if (size < headerSize || size > room) return undefined;
  return { type: buf.toString('latin1', at + 4, at + 8), size, headerSize };
}

/** The child boxes of a container's body, or undefined when they do not tile it exactly. */
function children(body: Buffer): Map<string, Buffer[]> | undefined {
  const out = new Map<string, Buffer[]>();
  let at = 0;
  while (at < body.length) {
    const box = boxHeader(body, at, body.length - at);
    if (!box) return undefined;
    const list = out.get(box.type) ?? [];
    list.push(body.subarray(at + box.headerSize, at + box.size));
    out.set(box.type, list);
    at += box.size;
  }
  return out;
}

function only(boxes: Map<string, Buffer[]> | undefined, type: string): Buffer | undefined {
  const list = boxes?.get(type);
  return list?.length === 1 ? list[0] : undefined;
}

class Malformed extends Error {}

function parseMoov(moov: Buffer): Mp4Index | undefined {
  try {
    const boxes = children(moov);
    const mvhd = only(boxes, 'mvhd');
    if (!boxes || !mvhd || boxes.has('mvex')) return undefined;
    const tracks = (boxes.get('trak') ?? []).map(parseTrak);
    return { durationSec: timedDuration(mvhd), tracks };
  } catch (err) {
    if (err instanceof Malformed || err instanceof RangeError) return undefined;
    throw err;
  }
}

/** mvhd and mdhd share their start: version, flags, two dates, timescale, duration. */
function timedDuration(full: Buffer): number | undefined {
  const version = full.readUInt8(0);
  const [timescale, duration] =
    version === 1
      ? [full.readUInt32BE(20), Number(full.readBigUInt64BE(24))]
      : [full.readUInt32BE(12), full.readUInt32BE(16)];
  // All ones: "unknown" (a fragmented file's moov before its fragments).
  const unknown = version === 1 ? duration === Number(0xffffffffffffffffn) : duration === 0xffffffff;
  if (timescale === 0 || unknown) return undefined;
  return duration / timescale;
}

function parseTrak(trak: Buffer): Mp4Track {
  const mdia = only(children(trak), 'mdia');
  if (!mdia) throw new Malformed('trak without one mdia');
  const mdiaBoxes = children(mdia);
  const hdlr = only(mdiaBoxes, 'hdlr');
  const minf = only(mdiaBoxes, 'minf');
  if (!hdlr || !minf) throw new Malformed('mdia without hdlr or minf');
  const handler = hdlr.toString('latin1', 8, 12);
  const stsd = only(children(only(children(minf), 'stbl') ?? Buffer.alloc(0)), 'stsd');
  if (!stsd) throw new Malformed('no stsd');
  // Samples may switch between entries: with more than one, the first does not describe them all.
  if (stsd.readUInt32BE(4) !== 1) throw new Malformed('not one sample entry');
  const entry = boxHeader(stsd, 8, stsd.length - 8);
  if (!entry) throw new Malformed('stsd entry does not fit');
  const body = stsd.subarray(8 + entry.headerSize, 8 + entry.size);
  const track: Mp4Track = { handler, sampleEntry: entry.type };
  if (handler === 'vide') {
    // VisualSampleEntry: 6 reserved, data reference index, 16 pre-defined and reserved, then the size.
    track.width = body.readUInt16BE(24);
    track.height = body.readUInt16BE(26);
    // Then resolution, frame count, compressor name and depth: its boxes start 78 bytes in.
    const boxes = children(body.subarray(78));
    const avcC = only(boxes, 'avcC');
    const hvcC = only(boxes, 'hvcC');
    if (avcC) track.profileIdc = avcC.readUInt8(1);
    else if (hvcC) track.profileIdc = hvcC.readUInt8(1) & 0x1f;
    const colr = only(boxes, 'colr');
    const colrType = colr?.toString('latin1', 0, 4);
    if (colr && (colrType === 'nclx' || colrType === 'nclc')) track.transfer = colr.readUInt16BE(6);
  } else if (entry.type === 'mp4a') {
    track.objectType = mp4aObjectType(body);
  }
  return track;
}

/** The objectTypeIndication in an mp4a entry's esds (ISO 14496-1 descriptors), if it has one. */
function mp4aObjectType(body: Buffer): number | undefined {
  // AudioSampleEntry: 6 reserved, data reference index, then version 0 (8 reserved bytes, channels,
  // sample size, 4 more, sample rate: 28 bytes in all) or QuickTime's version 1 (+16) or 2 (+36).
  const version = body.readUInt16BE(8);
  const fields = version === 0 ? 28 : version === 1 ? 44 : version === 2 ? 64 : undefined;
  if (fields === undefined) return undefined;
  const boxes = children(body.subarray(fields));
  // QuickTime keeps it one level down, in a 'wave' box.
  const esds = only(boxes, 'esds') ?? only(children(only(boxes, 'wave') ?? Buffer.alloc(0)), 'esds');
  if (!esds) return undefined;
  let at = 4; // version and flags
  const es = descriptor(esds, at, 0x03);
  if (!es) return undefined;
  at = es.body;
  const flags = esds.readUInt8(at + 2);
  at += 3; // ES_ID, flags
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + esds.readUInt8(at); // URL
  if (flags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptor(esds, at, 0x04);
  return config ? esds.readUInt8(config.body) : undefined;
}

/** A descriptor of `tag` at `at`: where its body starts (its length is 1-4 bytes of 7 bits). */
function descriptor(buf: Buffer, at: number, tag: number): { body: number } | undefined {
  if (buf.readUInt8(at) !== tag) return undefined;
  let pos = at + 1;
  for (let i = 0; i < 4; i++) {
    const byte = buf.readUInt8(pos++);
    if ((byte & 0x80) === 0) return { body: pos };
  }
  return undefined;
}
