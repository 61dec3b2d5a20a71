import type { Command } from 'commander';
import { lstat, readFile, stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { joinSentences } from '../core/sentences.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import type { Config } from '../config/config.js';
import { folderFor } from '../config/folder-for.js';
import { loadConfig } from '../config/load-config.js';
import type { MediaInfo } from '../domain/media.js';
import { probeMedia } from '../engines/local/probe.js';
import { resolveTools } from '../engines/local/tools.js';
import { hashFile } from '../core/content-hash.js';
import { checkLink, type LinkCheck } from '../intake/link-check.js';
import { linkPolicyText } from '../intake/link-policy.js';
import { notAVideo } from '../intake/outcomes.js';
import { nodeOutboxFs } from '../outbox/outbox-fs.js';
import { openJournal } from '../jobs/journal.js';
import { loadRuleFile } from '../rules/load-rule.js';
import { matchesRule } from '../rules/match.js';
import { unmatchedVideoMessage, videoExtensionOf } from '../rules/video-extensions.js';
import { resolveJob } from '../rules/resolve-job.js';
import { ruleVersion } from '../rules/rule-version.js';
import { ignoredReason } from '../intake/ignored.js';
import { EXIT } from './exit-codes.js';
import { reportError } from './report-error.js';
import { configFlag, shellWord } from './shell-word.js';
import { configPathFrom } from './settings.js';

export function register(program: Command): void {
  program
    .command('explain')
    .argument('<file>', 'a video, inside an inbox or not')
    .description(
      'Show which folder and rule a file gets, the instructions that would be sent, and whether it was done before.',
    )
    .option('-c, --config <file>', 'config file')
    .option('-f, --folder <name>', 'explain as if the file were in this folder')
    .action(async (file: string, opts: { config?: string; folder?: string }) => {
      try {
        const config = await loadConfig(configPathFrom(opts), process.env);
        const result = await explain(resolve(file), opts.folder, config, opts.config);
        for (const line of result.lines) console.log(redact(line));
        // A file no folder takes is not an answer a script may read as success.
        if (!result.inInbox) process.exitCode = EXIT.USAGE;
      } catch (err) {
        reportError(err);
      }
    });
}

export interface Explanation {
  lines: string[];
  /** False when no folder takes the file (outside every inbox, or an unknown --folder). */
  inInbox: boolean;
}

/** `configPath` is the --config the person gave, repeated in the commands this prints. */
export async function explain(
  file: string,
  folderName: string | undefined,
  config: Config,
  configPath?: string,
): Promise<Explanation> {
  const entry = await lstat(file).catch((cause: unknown) => {
    throw new VideoInboxError('INTERNAL', `Cannot read ${file}`, { cause, hint: 'Check the path.' });
  });
  // A link that loops or points at nothing has no size to show; the link policy says what happens.
  const info = await stat(file).catch(() => undefined);
  const folder = folderFor(config, file, folderName);
  if (!folder) {
    const names = config.folders.map((f) => f.name).join(', ') || '(none configured)';
    const lines = folderName
      ? [`There is no folder named "${folderName}" (folders: ${names}).`]
      : [`${file} is not inside any inbox. Name a folder with --folder (one of: ${names}).`];
    return { lines, inInbox: false };
  }
  const lines = [
    `File: ${file} (${info ? `${info.size} bytes` : 'a symbolic link that does not resolve'})`,
    `Folder: ${folder.name} (inbox ${folder.inbox} → outbox ${folder.outbox})`,
  ];
  const link = entry.isSymbolicLink()
    ? await checkLink(file, folder, config.stateDir, nodeOutboxFs)
    : undefined;
  if (link) lines.push(...linkLines(file, link, folder));
  const rule = await loadRuleFile(folder.rules);
  lines.push(`Rule file: ${folder.rules}`);
  // A source the daemon moved to _done/ or _failed/: why it is there, and the way back.
  const ownFolder = /^(_done|_failed)\/[^/]+$/.exec(relativeToInbox(folder.inbox, file))?.[1];
  if (ownFolder !== undefined) {
    lines.push(...(await setAsideLines(file, ownFolder === '_failed', configPath)));
    return { lines, inInbox: true };
  }
  const leftAlone = whyNotTaken(file, folder, rule, link);
  lines.push(...leftAlone.lines);
  if (leftAlone.stop) return { lines, inInbox: true };
  if (info?.size === 0) {
    // As intake: an empty file is set aside before anything probes it.
    lines.push(setAsideLine('the file is empty (0 bytes); copy the video again.'));
    return { lines, inInbox: true };
  }
  const job = await planLines(file, folder.name, rule, config, info?.size ?? 0, lines);
  if (!job) return { lines, inInbox: true };
  lines.push(`Output: ${folder.outbox}/${job.outputName} (a numbered name if taken)`);
  lines.push(
    `Afterwards the source is: ${job.after === 'archive' ? `moved to ${folder.inbox}/_done/` : job.after === 'delete' ? 'deleted' : 'kept'}`,
  );
  lines.push(await doneBeforeLine(file, rule, config.stateDir, configPath));
  return { lines, inInbox: true };
}

type ExplainedFolder = NonNullable<ReturnType<typeof folderFor>>;
type LoadedRule = Awaited<ReturnType<typeof loadRuleFile>>;

/** Why the daemon would leave the file alone or set it aside before any probe (`stop`), if it would. */
function whyNotTaken(
  file: string,
  folder: ExplainedFolder,
  rule: LoadedRule,
  link: LinkCheck | undefined,
): { lines: string[]; stop: boolean } {
  const ignored = ignoredReason({
    folder: folder.name,
    rel: relativeToInbox(folder.inbox, file),
    match: rule.match,
  });
  if (ignored !== undefined) {
    return { lines: [`Ignored: ${ignored} The daemon leaves it in the inbox as it is.`], stop: true };
  }
  if (!matchesRule(rule, basename(file))) {
    const unmatched = unmatchedVideoMessage({
      folder: folder.name,
      fileName: basename(file),
      match: rule.match,
      ruleFile: folder.rules,
    });
    const line = unmatched
      ? `No match: ${unmatched} The daemon sets such a video aside in _failed/ with this reason.`
      : `No match: the rule's match globs (${rule.match.join(', ')}) do not cover this name, and it is not a video by its name, so the daemon leaves it alone.`;
    return { lines: [line], stop: true };
  }
  if (link?.verdict.kind === 'set-aside') {
    const line = `Link verdict: set aside in _failed/ by the daemon: ${joinSentences(link.verdict.message, link.verdict.hint)}`;
    return { lines: [line], stop: true };
  }
  if (link)
    return {
      lines: [
        'Link verdict: followed (the video it points to is converted; afterwards the link is archived or deleted, never the video)',
      ],
      stop: false,
    };
  return { lines: [], stop: false };
}

/**
 * The probe and the job the rule makes of the file: engine, skill and instructions, or local options.
 * Undefined when the daemon would set the file aside instead (ffprobe runs but cannot read it, or a
 * video by its name holds no picture), as intake does.
 */
async function planLines(
  file: string,
  folderName: string,
  rule: LoadedRule,
  config: Config,
  sizeBytes: number,
  lines: string[],
): Promise<ReturnType<typeof resolveJob> | undefined> {
  let media: MediaInfo | undefined;
  let ffprobe: string | undefined;
  try {
    ffprobe = resolveTools({ ffmpeg: config.ffmpegPath, ffprobe: config.ffprobePath }).ffprobe;
  } catch (err) {
    // Without ffmpeg the daemon plans without a probe too (the cloud takes the file as it is).
    lines.push(`Probe: not available (${toVideoInboxError(err).message})`);
  }
  if (ffprobe !== undefined) {
    const name = basename(file);
    try {
      media = await probeMedia(file, ffprobe);
    } catch (err) {
      const why = toVideoInboxError(err).message;
      lines.push('Probe: ffprobe cannot read it');
      lines.push(setAsideLine(notAVideo(name, why).message));
      return undefined;
    }
    const v = media.video;
    lines.push(
      `Probe: ${media.formatName}, ${media.durationSec?.toFixed(1) ?? '?'} s, ` +
        `${v ? `${v.codec} ${v.width}x${v.height}${turned(v.width, v.height, v.rotation)}` : 'no video'}, ${media.audio ? media.audio.codec : 'no audio'}`,
    );
    if (!v && videoExtensionOf(name) !== undefined) {
      lines.push(setAsideLine(notAVideo(name, 'it has no video stream').message));
      return undefined;
    }
  }
  const job = resolveJob(rule, { path: file, sizeBytes, media }, folderName, new Date(), {
    language: config.api.language,
  });
  lines.push(`Engine: ${job.engine}${job.whenIndex === undefined ? '' : ` (from when[${job.whenIndex}])`}`);
  if (job.engine === 'nemo') {
    lines.push(`Skill: ${job.skill}, language ${job.language}, quality ${job.quality}`);
    lines.push('Instructions, in order:');
    job.instructions.forEach((text, i) => lines.push(`  ${i + 1}. ${text}`));
  } else {
    lines.push(`Local options: ${JSON.stringify(job.local)}`);
  }
  return job;
}

/** Whether this content was converted before under this rule, with the command to do it again. */
async function doneBeforeLine(
  file: string,
  rule: LoadedRule,
  stateDir: string,
  configPath: string | undefined,
): Promise<string> {
  const journal = await openJournal(stateDir, { readOnly: true });
  try {
    const done = journal.findDone(await hashFile(file), ruleVersion(rule));
    return done
      ? `Done before: yes, ${new Date(done.updatedAt).toISOString()} → ${done.output ?? '(output not recorded)'}. Run \`video-inbox retry ${shellWord(file)}${configFlag(configPath)}\` to convert it again.`
      : 'Done before: no';
  } finally {
    await journal.close();
  }
}

/**
 * A source the daemon moved into the inbox's `_failed/` (with its `.error.txt`) or `_done/`: why it
 * is there and the `retry` that puts it back in front of the daemon.
 */
async function setAsideLines(file: string, failed: boolean, configPath?: string): Promise<string[]> {
  const retry = `\`video-inbox retry ${shellWord(file)}${configFlag(configPath)}\``;
  if (!failed)
    return [
      `Archived: the daemon converted ${basename(file)} and moved it to _done/; it never takes it from there.`,
      `Run ${retry} to convert it again.`,
    ];
  const report = await readFile(`${file}.error.txt`, 'utf8').catch(() => undefined);
  const reason = report ? whatHappened(report) : undefined;
  return [
    `Set aside: ${reason ?? `the daemon could not convert ${basename(file)} (no ${basename(file)}.error.txt beside it says why)`}`,
    `The daemon does not take it from _failed/. Once the cause is fixed, run ${retry} to put it back in the inbox.`,
  ];
}

/** The "What happened:" paragraph of a `.error.txt`, on one line. */
function whatHappened(report: string): string | undefined {
  const lines = report.split('\n');
  const start = lines.indexOf('What happened:');
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || !line.startsWith(' ')) break;
    body.push(line.trim());
  }
  return body.length > 0 ? body.join(' ') : undefined;
}

/** What a symbolic link says, where it really leads, and the folder's link policy. */
function linkLines(file: string, link: LinkCheck, folder: { followLinks?: boolean }): string[] {
  const target =
    'real' in link.target ? `real target ${link.target.real}` : `does not resolve: ${link.target.errno}`;
  return [
    `Link: ${file} → ${link.text} (${target})`,
    `Link policy: ${linkPolicyText({ followLinks: folder.followLinks === true })}`,
  ];
}

/** The path inside the inbox, `/`-separated (the form rules and the ignore check see); a file
 * explained `--folder` from elsewhere is seen by its name. */
function relativeToInbox(inbox: string, file: string): string {
  const rel = relative(inbox, file);
  return rel.startsWith('..') ? basename(file) : rel.split(sep).join('/');
}

/** How a player shows a turned picture: `when` compares these sizes, not the stored ones. */
function turned(width: number, height: number, rotation: number | undefined): string {
  if (!rotation || Math.abs(rotation) % 180 !== 90) return '';
  return ` (rotated ${rotation}°: shown ${height}x${width})`;
}

/** What intake would do instead of planning: set the file aside, for this reason. */
function setAsideLine(reason: string): string {
  return `Set aside: the daemon moves it to _failed/: ${reason}`;
}
