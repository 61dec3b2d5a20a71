import { z } from 'zod';
import { X264_PRESETS as ALL_X264_PRESETS } from '../engines/local/plan.js';
import { DEFAULT_SKILL } from '../engines/skill.js';

export { DEFAULT_SKILL };
import { INSTRUCTION_VARIABLES, OUTPUT_NAME_VARIABLES, unknownVariables } from './template.js';
import { CLOUD_VIDEO_EXTENSIONS } from './video-extensions.js';

/** The formats the NemoVideo API accepts as video; the default `match`. */
export const DEFAULT_MATCH = CLOUD_VIDEO_EXTENSIONS.map((ext) => `*.${ext}`);
export const DEFAULT_OUTPUT_NAME = '{stem}.mp4';
/** The local engine's x264 presets but placebo, which takes hours for no visible gain. */
export const X264_PRESETS = ALL_X264_PRESETS.filter(
  (p): p is Exclude<(typeof ALL_X264_PRESETS)[number], 'placebo'> => p !== 'placebo',
);

const template = (allowed: readonly string[]) =>
  z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const unknown = unknownVariables(value, allowed);
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `Unknown template variable ${unknown.map((n) => `{${n}}`).join(', ')}; known: ${allowed
            .map((n) => `{${n}}`)
            .join(' ')} (write {{ or }} for a literal brace)`,
        });
      }
    });

const instructionTemplate = template(INSTRUCTION_VARIABLES);

// Sent as an HTTP header value, so no spaces or line breaks can sneak in.
const skillName = z
  .string()
  .regex(
    /^[A-Za-z0-9._-]+$/,
    'A skill name is letters, digits, dots, dashes or underscores (e.g. video-converter-best)',
  );

const oneOrMany = (description: string) =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: 'Expected a text or a list of texts',
    })
    .describe(description);

const instructionFields = {
  instruction: instructionTemplate
    .optional()
    .describe(
      'One instruction sent to the agent. Sees {name} {stem} {ext} {size} {sizeMB} {duration} {width} {height} {codec} {date} {folder}.',
    ),
  instructions: z
    .array(instructionTemplate)
    .min(1)
    .optional()
    .describe('Several instructions sent in order on one session (iterative editing), then one export.'),
};

export const QUALITIES = ['high', 'medium', 'low'] as const;
export const ENGINES = ['nemo', 'local'] as const;
export const AFTER_ACTIONS = ['archive', 'delete', 'keep'] as const;

export const LocalSchema = z
  .strictObject({
    height: z
      .number()
      .int()
      .min(16)
      .max(8640)
      .multipleOf(2, 'Must be even (H.264 needs even sizes)')
      .optional()
      .describe(
        "The size box's short side in pixels (default 1080: 1920x1080, portrait 1080x1920); larger videos are scaled down into it.",
      ),
    upscale: z
      .boolean()
      .optional()
      .describe('Also scale smaller videos up until they touch the box (default false).'),
    crf: z
      .number()
      .int()
      .min(1)
      .max(51)
      .optional()
      .describe(
        'x264 CRF from 1 to 51: lower is better and larger (default 18, visually lossless; 0 would need a profile most players lack).',
      ),
    preset: z.enum(X264_PRESETS).optional().describe('x264 preset: slower is smaller at the same quality.'),
    forceTranscode: z.boolean().optional().describe('Transcode even when a lossless remux would do.'),
    keepHevc: z
      .boolean()
      .optional()
      .describe(
        'Keep HEVC (H.265) video as HEVC, copied losslessly, instead of converting it to H.264 (default false). Smaller, but fewer devices and sites play it.',
      ),
  })
  .describe('Options for the local ffmpeg engine.');

const bound = (description: string) => z.number().nonnegative().optional().describe(description);

export const CONDITION_KEYS = [
  'match',
  'codec',
  'audioCodec',
  'minWidth',
  'maxWidth',
  'minHeight',
  'maxHeight',
  'minDuration',
  'maxDuration',
  'minSizeMB',
  'maxSizeMB',
] as const;
export const OVERRIDE_KEYS = [
  'skill',
  'instruction',
  'instructions',
  'engine',
  'local',
  'quality',
  'language',
] as const;

export const WhenSchema = z
  .strictObject({
    // Conditions: all given must hold.
    match: oneOrMany('File name globs (case-insensitive).').optional(),
    codec: oneOrMany(
      'Video codec as ffprobe names it (h264, hevc, mpeg4, mjpeg, vp8, vp9, av1, prores…).',
    ).optional(),
    audioCodec: oneOrMany(
      'Audio codec as ffprobe names it (aac, mp3, opus, vorbis, pcm_s16le…); "none" for no audio.',
    ).optional(),
    minWidth: bound('At least this many pixels wide (as displayed).'),
    maxWidth: bound('At most this many pixels wide (as displayed).'),
    minHeight: bound('At least this many pixels high (as displayed).'),
    maxHeight: bound('At most this many pixels high (as displayed).'),
    minDuration: bound('At least this many seconds long.'),
    maxDuration: bound('At most this many seconds long.'),
    minSizeMB: bound('At least this many MB.'),
    maxSizeMB: bound('At most this many MB.'),
    // What changes when they hold.
    skill: skillName.optional().describe('Skill (X-Skill-Source) for these files.'),
    ...instructionFields,
    engine: z.enum(ENGINES).optional().describe('Engine for these files.'),
    local: LocalSchema.optional(),
    quality: z.enum(QUALITIES).optional().describe('Export quality for these files.'),
    language: z.string().min(2).optional().describe('Session language for these files.'),
  })
  .superRefine((entry, ctx) => {
    eitherInstruction(entry, ctx);
    const has = (keys: readonly string[]) =>
      keys.some((k) => (entry as Record<string, unknown>)[k] !== undefined);
    if (!has(CONDITION_KEYS)) {
      ctx.addIssue({
        code: 'custom',
        message: `A "when" entry needs a condition (${CONDITION_KEYS.join(', ')})`,
      });
    }
    if (!has(OVERRIDE_KEYS)) {
      ctx.addIssue({
        code: 'custom',
        message: `A "when" entry needs something to change (${OVERRIDE_KEYS.join(', ')})`,
      });
    }
    for (const [min, max] of [
      ['minWidth', 'maxWidth'],
      ['minHeight', 'maxHeight'],
      ['minDuration', 'maxDuration'],
      ['minSizeMB', 'maxSizeMB'],
    ] as const) {
      const lo = entry[min];
      const hi = entry[max];
      if (lo !== undefined && hi !== undefined && lo > hi) {
        ctx.addIssue({
          code: 'custom',
          path: [min],
          message: `${min} is larger than ${max}; nothing could match`,
        });
      }
    }
  })
  .describe(
    'Conditions on the file and its probe results, and what to do differently when all hold. The first entry that matches wins.',
  );

export const RuleFileSchema = z
  .strictObject({
    skill: skillName.default(DEFAULT_SKILL).describe('The NemoVideo skill, sent as X-Skill-Source.'),
    ...instructionFields,
    match: oneOrMany(
      'File name globs this rule takes (case-insensitive). Default: the video formats the API accepts.',
    ).default(DEFAULT_MATCH),
    output: z
      .strictObject({
        name: template(OUTPUT_NAME_VARIABLES)
          .regex(/^[^/\\]*$/, 'An output name cannot contain / or \\')
          .default(DEFAULT_OUTPUT_NAME)
          .describe('Output file name: {stem} {ext} {date} {folder}. ".mp4" is added when missing.'),
        quality: z.enum(QUALITIES).default('high').describe('Export quality.'),
      })
      .prefault({}),
    after: z
      .enum(AFTER_ACTIONS)
      .default('archive')
      .describe(
        'What happens to the source once its MP4 is verified: moved to <inbox>/_done/, deleted, or kept.',
      ),
    language: z
      .string()
      .min(2)
      .optional()
      .describe('Session language. Default: api.language from the config.'),
    engine: z
      .enum(ENGINES)
      .default('nemo')
      .describe('nemo (cloud, AI instructions) or local (ffmpeg, offline).'),
    local: LocalSchema.optional(),
    when: z
      .array(WhenSchema)
      .optional()
      .describe('Exceptions by file properties; the first matching entry wins.'),
  })
  .superRefine(eitherInstruction)
  .meta({
    title: 'video-inbox rule',
    description: 'What video-inbox does with the files dropped in one inbox.',
  });

function eitherInstruction(
  value: { instruction?: string; instructions?: string[] },
  ctx: z.RefinementCtx,
): void {
  if (value.instruction !== undefined && value.instructions !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['instructions'],
      message: 'Use either "instruction" or "instructions", not both',
    });
  }
}

export type RuleFile = z.output<typeof RuleFileSchema>;
export type WhenEntry = z.output<typeof WhenSchema>;
