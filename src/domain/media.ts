/** What ffprobe says about a file; rule conditions and instruction templates read it. */
export interface MediaInfo {
  formatName: string;
  durationSec?: number;
  sizeBytes: number;
  video?: {
    codec: string;
    width: number;
    height: number;
    pixFmt?: string;
    codecTag?: string;
    rotation?: number;
    /** As ffprobe names it: "High", "Main", "Constrained Baseline", "High 10", "Main 10"… */
    profile?: string;
    /** Sample (pixel) aspect ratio as width/height of one pixel; 1 or undefined for square pixels. */
    sampleAspect?: number;
    /** Colour tags as ffprobe names them (bt709, bt2020, smpte2084, arib-std-b67, tv, pc…). */
    colorPrimaries?: string;
    colorTransfer?: string;
    colorSpace?: string;
    colorRange?: string;
    /** progressive, tt, bb, tb, bt (interlaced) or unknown. */
    fieldOrder?: string;
  };
  audio?: { codec: string; channels?: number };
}
