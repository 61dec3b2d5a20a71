import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { ApiError } from '../../core/errors.js';
import { redact } from '../../core/secrets.js';
import type { NemoHttp, StreamAnswer } from './http.js';
import type { AgentEvent } from './sse-events.js';
import { createSseDecoder } from './sse-decoder.js';
import { describeTool, translateAgentText } from './agent-text.js';

export interface InstructionOptions {
  skill?: string;
  signal?: AbortSignal;
  capMs: number;
  idleMs: number;
  stillWorkingMs: number;
  requestTimeoutMs: number;
  /** Readable lines only: agent text (translated), tool activity, "still working". */
  onMessage?: (message: string) => void;
  log: Logger;
  /** Reads the time since the agent last said something (the timers themselves are real). */
  clock: Clock;
}

export interface InstructionOutcome {
  /** The agent's readable text, GUI-speak translated. */
  texts: string[];
  /** Whether any text arrived; a text-less stream needs a state check. */
  sawText: boolean;
  toolCalls: number;
  events: number;
}

/**
 * Sends one instruction over `POST /run_sse` and follows the stream until the server closes it.
 * The stream has no end event; it fails on an agent error, on silence longer than `idleMs` (any byte,
 * heartbeats included, counts as life) and when it runs past `capMs`.
 */
export async function runInstructionStream(
  http: NemoHttp,
  sessionId: string,
  instruction: string,
  options: InstructionOptions,
): Promise<InstructionOutcome> {
  const cap = streamCap(options.capMs);
  const signal = options.signal ? AbortSignal.any([options.signal, cap.signal]) : cap.signal;
  const voice = stillWorkingVoice(options);
  const outcome: InstructionOutcome = { texts: [], sawText: false, toolCalls: 0, events: 0 };
  let failure: (AgentEvent & { kind: 'error' }) | undefined;
  try {
    const answer = await http.stream({
      endpoint: 'sse',
      method: 'POST',
      path: '/run_sse',
      auth: true,
      skill: options.skill,
      headers: { Accept: 'text/event-stream' },
      json: {
        app_name: 'nemo_agent',
        user_id: 'me',
        session_id: sessionId,
        new_message: { parts: [{ text: instruction }] },
      },
      signal,
      timeoutMs: options.requestTimeoutMs,
      idleMs: options.idleMs,
    });
    failure = await readEvents(answer, (event) => collect(outcome, event, voice.say));
  } catch (err) {
    throw streamError(err, options, cap.signal);
  } finally {
    cap.stop();
    voice.stop();
  }
  if (failure) throw agentFailure(failure, options.log);
  return outcome;
}

/** Aborts the stream once it has run `capMs`. */
function streamCap(capMs: number): { signal: AbortSignal; stop(): void } {
  const cap = new AbortController();
  const capError = new ApiError(
    'SSE_TIMEOUT',
    `The instruction stream ran past ${Math.round(capMs / 1000)} s`,
    {
      hint: 'NemoVideo took too long on this instruction; the job is retried later.',
      retryable: true,
    },
  );
  const timer = setTimeout(() => cap.abort(capError), capMs);
  return { signal: cap.signal, stop: () => clearTimeout(timer) };
}

/** Passes readable lines on, and says "Still working…" when nothing was said for a while. */
function stillWorkingVoice(options: InstructionOptions): { say(message: string): void; stop(): void } {
  let lastSaid = options.clock.now();
  const say = (message: string) => {
    lastSaid = options.clock.now();
    options.onMessage?.(message);
  };
  const timer = setInterval(
    () => {
      if (options.clock.now() - lastSaid >= options.stillWorkingMs * 0.9) say('Still working…');
    },
    Math.max(10, options.stillWorkingMs),
  );
  return { say, stop: () => clearInterval(timer) };
}

/** Decodes the stream's events until it ends or the agent reports an error (returned). */
async function readEvents(
  answer: StreamAnswer,
  onEvent: (event: AgentEvent) => void,
): Promise<(AgentEvent & { kind: 'error' }) | undefined> {
  let failure: (AgentEvent & { kind: 'error' }) | undefined;
  const decoder = createSseDecoder((event) => {
    onEvent(event);
    if (event.kind === 'error') failure ??= event;
  });
  try {
    for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
      decoder.push(chunk);
      if (failure) break;
    }
    if (!failure) decoder.end();
  } finally {
    answer.release();
    if (!answer.body.destroyed) answer.body.destroy();
  }
  return failure;
}

function collect(outcome: InstructionOutcome, event: AgentEvent, say: (message: string) => void): void {
  outcome.events++;
  if (event.kind === 'text') {
    outcome.sawText = true;
    const readable = translateAgentText(event.text);
    if (readable) {
      outcome.texts.push(readable);
      say(readable);
    }
  } else if (event.kind === 'tool_call') {
    outcome.toolCalls++;
    say(describeTool(event.name));
  }
}

function agentFailure(failure: AgentEvent & { kind: 'error' }, log: Logger): ApiError {
  const message = redact(failure.message).slice(0, 300);
  log.warn({ code: 'SSE_FAILED', agentCode: failure.code }, 'NemoVideo agent reported an error');
  return new ApiError('SSE_FAILED', `The NemoVideo agent reported an error: ${message}`, {
    hint: "The instruction could not be carried out; check the rule's instruction, or retry the job later.",
    retryable: true,
    context: { agentCode: failure.code },
  });
}

function streamError(err: unknown, options: InstructionOptions, capSignal: AbortSignal): unknown {
  if (options.signal?.aborted) return options.signal.reason ?? err;
  if (capSignal.aborted) return capSignal.reason;
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK' && /BODY_TIMEOUT|TIMEOUT/i.test(String(err.context.reason)))
      return idleError(options, err);
    return err;
  }
  const code = (err as { code?: string }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return idleError(options, err);
  return new ApiError('NETWORK', `The instruction stream broke off (${code ?? 'error'})`, {
    cause: err,
    hint: 'Check the network connection; the instruction is checked and resent if needed.',
    retryable: true,
    context: { endpoint: 'sse', reason: code },
  });
}

function idleError(options: InstructionOptions, cause: unknown): ApiError {
  return new ApiError(
    'SSE_TIMEOUT',
    `The instruction stream went silent for ${Math.round(options.idleMs / 1000)} s`,
    {
      cause,
      hint: 'NemoVideo stopped answering; the instruction is checked and resent if needed.',
      retryable: true,
    },
  );
}
