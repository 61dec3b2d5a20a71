import { VideoInboxError } from '../core/errors.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';

/**
 * Throws unless the source is still there. A source removed from a present inbox is gone for good
 * (SOURCE_GONE); an inbox that is gone itself (an unmounted share) is waited for (INBOX_MISSING,
 * retryable), since its files are not deleted.
 */
export async function checkSource(fs: OutboxFs, source: string, inbox: string): Promise<void> {
  await fs.stat(source).catch(async (cause: unknown) => {
    const inboxThere = await fs.stat(inbox).then(
      () => true,
      () => false,
    );
    throw inboxThere
      ? new VideoInboxError('SOURCE_GONE', 'The source file was removed before it was converted', {
          cause,
          hint: 'Put the file back into the inbox to convert it.',
        })
      : new VideoInboxError('INBOX_MISSING', `The inbox ${inbox} is not there (an unmounted share?)`, {
          cause,
          retryable: true,
          hint: 'Mount the share or recreate the folder; the job resumes by itself.',
        });
  });
}
