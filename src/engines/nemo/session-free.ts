import { ApiError } from '../../core/errors.js';

/**
 * Runs a step that needs no session: polling a render by its own id, or downloading its file. A 1002
 * there (one that outlasted the transport's retries) must not start the job over in a new session,
 * which would mean a second upload, a second charged instruction and a second render. It becomes a
 * plain retryable failure instead, and the job later resumes with the same render id.
 */
export async function withoutSession<T>(renderId: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'SESSION_NOT_FOUND') throw err;
    throw new ApiError('API_ERROR', 'NemoVideo answered a render request with a session error (code 1002)', {
      cause: err,
      status: err.status,
      apiCode: err.apiCode,
      hint: 'The render is asked for again by its id later; the job is not redone.',
      retryable: true,
      context: { ...err.context, renderId },
    });
  }
}
