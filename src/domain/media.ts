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
  };
  audio?: { codec: string; channels?: number };
}
