import type { Random } from './random.js';

export type HeartbeatForm = 'typed' | 'empty' | 'comment';
export const HEARTBEAT_FORMS: readonly HeartbeatForm[] = ['typed', 'empty', 'comment'];

export type SseItem =
  | { kind: 'heartbeat'; form: HeartbeatForm }
  | { kind: 'tool_call' }
  | { kind: 'tool_result' }
  | { kind: 'text'; text: string }
  | { kind: 'error'; message: string }
  /** Not sent: the moment the agent's edit lands in the session's draft. */
  | { kind: 'apply' };

export interface Step {
  at: number;
  item: SseItem;
}

export interface ScriptInput {
  outcome: 'text' | 'textless' | 'noop' | 'error';
  instructionMs: number;
  heartbeatMs: number;
  filename?: string;
  random: Random;
}

const GUI_LINES = [
  'Click the Export button to download your video.',
  'Your video is ready! Click **Export** in the top right corner to render it.',
  'Open the Timeline panel to review the changes, then click Export.',
  'You can drag the clip on the timeline to adjust it, or click the Export button when you are happy.',
];

/**
 * The timeline of one instruction stream: heartbeats in all three forms throughout, a tool call and
 * its result, then text (unless text-less) or an agent error. The stream ends after the last step.
 */
export function sseScript(input: ScriptInput): Step[] {
  const { outcome, instructionMs: total, heartbeatMs } = input;
  const end = outcome === 'error' ? Math.round(total * 0.4) : total;
  const steps: Step[] = [];
  const beat = Math.max(1, heartbeatMs);
  for (let k = 0, at = 0; at < end; k++, at = k * beat)
    steps.push({ at, item: { kind: 'heartbeat', form: HEARTBEAT_FORMS[k % 3] as HeartbeatForm } });
  steps.push({ at: Math.round(total * 0.2), item: { kind: 'tool_call' } });
  if (outcome === 'error') {
    steps.push({
      at: end,
      item: { kind: 'error', message: 'The agent could not finish this edit. Please try again.' },
    });
    return order(steps);
  }
  steps.push({ at: Math.round(total * 0.5), item: { kind: 'tool_result' } });
  if (outcome !== 'noop') steps.push({ at: Math.round(total * 0.5), item: { kind: 'apply' } });
  if (outcome === 'text') {
    const what = input.filename
      ? `I've converted ${input.filename} to MP4 at 1080p.`
      : 'Please upload a video first, then tell me what to do with it.';
    steps.push({ at: Math.round(total * 0.7), item: { kind: 'text', text: what } });
    if (input.filename)
      steps.push({ at: Math.round(total * 0.9), item: { kind: 'text', text: input.random.pick(GUI_LINES) } });
  }
  return order(steps);
}

function order(steps: Step[]): Step[] {
  // Stable: steps planned for the same moment keep their planned order.
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.at - b.s.at || a.i - b.i)
    .map(({ s }) => s);
}
