import { authenticate } from './auth.js';
import type { Exchange } from './context.js';
import { canvasFor, emptyDraft } from './draft.js';
import { readJson } from './http-io.js';
import { mediaInfo } from './media-info.js';
import { sendCode, sendOk } from './shapes.js';
import type { Account, Session } from './store.js';

/** POST /api/tasks/me/with-session/nemo_agent → a task id and a numeric session id. */
export async function handleSession(ex: Exchange): Promise<void> {
  const account = await authenticate(ex);
  if (!account) return;
  const read = await readJson(ex);
  const body = (read.ok ? read.value : undefined) as { language?: unknown } | undefined;
  const { store, random } = ex.ctx;
  const n = store.nextNumber();
  // Numeric strings, unique (one block of 7919 per session) yet not guessable from the count.
  const id = String(8_000_000_000 + n * 7919 + Math.floor(random.next() * 7919));
  const session: Session = {
    id,
    taskId: `task_${random.hex(24)}`,
    userId: account.userId,
    language: typeof body?.language === 'string' ? body.language : 'en',
    media: [],
    draft: emptyDraft(),
    generatedMedia: [],
    instructions: 0,
  };
  store.sessions.set(id, session);
  return sendOk(ex, { task_id: session.taskId, session_id: id });
}

/** The account's session, or undefined after answering 1002. */
export async function findSession(
  ex: Exchange,
  account: Account,
  sessionId: unknown,
): Promise<Session | undefined> {
  const session = typeof sessionId === 'string' ? ex.ctx.store.sessions.get(sessionId) : undefined;
  if (session && session.userId === account.userId) return session;
  await sendCode(ex, 1002);
  return undefined;
}

/** GET /api/state/nemo_agent/me/<sid>/latest. */
export async function handleState(ex: Exchange): Promise<void> {
  const account = await authenticate(ex);
  if (!account) return;
  const session = await findSession(ex, account, ex.params.sid);
  if (!session) return;
  const latest = session.media.at(-1);
  return sendOk(ex, {
    session_id: session.id,
    state: {
      draft: session.draft,
      video_infos: session.media.map(mediaInfo),
      generated_media: session.generatedMedia,
      canvas_config: canvasFor(latest),
    },
  });
}
