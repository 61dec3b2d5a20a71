/** Exit codes of every command; documented in README.md ("Exit codes"). */
export const EXIT = {
  OK: 0,
  /** At least one file could not be converted (its reason was printed). */
  FAILED: 1,
  /** Bad arguments, or config/rule files that do not validate. */
  USAGE: 2,
  /** The account needs a person: out of credits, or export blocked by the plan. */
  NEEDS_ACCOUNT: 3,
  /** Another daemon already runs on this state dir. */
  LOCKED: 4,
  /** ffmpeg/ffprobe are needed and missing. */
  MISSING_TOOL: 5,
  /** Stopped by SIGINT/SIGTERM before finishing. */
  INTERRUPTED: 130,
} as const;
