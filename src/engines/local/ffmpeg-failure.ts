import { FfmpegError, type ErrorCode } from '../../core/errors.js';

export interface FfmpegExit {
  exitCode: number | null;
  /** Set when a signal ended ffmpeg that we did not send (the system, out of memory, a person). */
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

interface Diagnosis {
  pattern: RegExp;
  code: ErrorCode;
  retryable: boolean;
  hint: string;
}

const DIAGNOSES: Diagnosis[] = [
  {
    pattern: /No space left on device/i,
    code: 'DISK_FULL',
    retryable: true,
    hint: 'Free some space on the disk that holds the outbox; the file is tried again later.',
  },
  {
    pattern:
      /Invalid data found when processing input|moov atom not found|could not find codec parameters|Invalid NAL unit|error while decoding|EBML header parsing failed|Truncating packet|End of file/i,
    code: 'FFMPEG_FAILED',
    retryable: false,
    hint: 'The file looks damaged or incomplete. Check that it plays; if it was still copying, drop it in again once the copy has finished.',
  },
  {
    pattern: /Permission denied|Operation not permitted|Read-only file system/i,
    code: 'FFMPEG_FAILED',
    retryable: false,
    hint: 'ffmpeg may not read the file or write next to the output: check the folder permissions.',
  },
  {
    pattern: /Unknown encoder|Encoder .* not found|Unrecognized option|Option not found/i,
    code: 'FFMPEG_FAILED',
    retryable: false,
    hint: 'This ffmpeg lacks libx264 or does not know an option video-inbox passes (a version older than 4.0?). Install a full build (Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`) or set ffmpegPath in the config.',
  },
];

const GENERIC_HINT =
  "ffmpeg's last lines above say why. If the file plays in a player, try `forceTranscode`, or report it with the file type.";

/** Lines that only repeat that something failed; the line before them says what. */
const NOISE = /^(Conversion failed!?|Exiting normally.*)$/i;

/** Turns an ffmpeg exit into an error a person can act on: what ffmpeg said, and what to do. */
export function explainFfmpegFailure(exit: FfmpegExit): FfmpegError {
  const lines = exit.stderrTail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const reason = [...lines].reverse().find((l) => !NOISE.test(l)) ?? lines.at(-1);
  const how =
    exit.signal !== null
      ? `was stopped by ${exit.signal}`
      : exit.exitCode === 0
        ? 'could not finish its output' // and still exited 0 (ffmpeg 5.1, a failed trailer)
        : `exited with code ${exit.exitCode ?? 'unknown'}`;
  const message = `ffmpeg ${how}${reason ? `: ${reason}` : ''}`;
  const options = { exitCode: exit.exitCode, stderrTail: exit.stderrTail };
  if (exit.signal !== null) {
    return new FfmpegError('FFMPEG_FAILED', message, {
      ...options,
      retryable: true,
      hint: 'Something outside video-inbox stopped ffmpeg (often the system running out of memory); the file is tried again later.',
    });
  }
  const found = DIAGNOSES.find((d) => d.pattern.test(exit.stderrTail));
  return new FfmpegError(found?.code ?? 'FFMPEG_FAILED', message, {
    ...options,
    retryable: found?.retryable ?? false,
    hint: found?.hint ?? GENERIC_HINT,
  });
}
