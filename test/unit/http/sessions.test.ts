import { describe, expect, it } from 'vitest';
import { cookieValue, createSessions } from '../../../src/http/sessions.js';

describe('one-time links and sessions', () => {
  it('a link works once and only within five minutes', () => {
    const s = createSessions();
    const t = s.issueLink(0);
    const session = s.redeem(t, 1000);
    expect(session).toBeDefined();
    expect(s.redeem(t, 1000)).toBeUndefined();
    const late = s.issueLink(0);
    expect(s.redeem(late, 5 * 60_000 + 1)).toBeUndefined();
    expect(s.find(session!.id, 2000)).toEqual(session);
    expect(s.find('made-up', 2000)).toBeUndefined();
  });

  it('checks the CSRF token exactly', () => {
    const s = createSessions();
    const session = s.redeem(s.issueLink(0), 0)!;
    expect(s.csrfOk(session, session.csrf)).toBe(true);
    expect(s.csrfOk(session, `${session.csrf}x`)).toBe(false);
    expect(s.csrfOk(session, undefined)).toBe(false);
  });

  it.each([
    ['vi_session=abc; other=1', 'abc'],
    ['other=1;vi_session=a=b', 'a=b'],
    ['other=1', undefined],
    [undefined, undefined],
  ])('cookie %j → %j', (header, value) => {
    expect(cookieValue(header, 'vi_session')).toBe(value);
  });
});
