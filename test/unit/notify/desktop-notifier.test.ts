import { afterEach, describe, expect, it } from 'vitest';
import { createDesktopNotifier, notificationTrouble } from '../../../src/notify/desktop-notifier.js';
import { notices } from '../../../src/notify/messages.js';
import { clearSecrets, registerSecret } from '../../../src/core/secrets.js';
import { captureLog } from '../../helpers/capture-log.js';

afterEach(() => clearSecrets());

describe('desktop notifier', () => {
  it('passes the notice to the desktop service', () => {
    const sent: { title: string; message: string }[] = [];
    const { log } = captureLog();
    createDesktopNotifier(log, (n, cb) => {
      sent.push(n);
      cb(null);
    }).notify(notices.done('/in/old.avi', '/out/old.mp4'));
    expect(sent).toEqual([{ title: 'Video ready', message: 'old.avi → /out/old.mp4' }]);
  });

  it('survives a missing notification service, warning once with a way out', () => {
    const { log, entries } = captureLog();
    const notifier = createDesktopNotifier(log, (_n, cb) => cb(new Error('notify-send: not found')));
    notifier.notify(notices.failed('/in/a.avi', 'bad'));
    notifier.notify(notices.failed('/in/b.avi', 'bad'));
    const warnings = entries().filter((e) => e.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toContain('notify: none');
  });

  it('does not throw when the service throws synchronously', () => {
    const { log } = captureLog();
    const notifier = createDesktopNotifier(log, () => {
      throw new Error('no D-Bus session');
    });
    expect(() => notifier.notify(notices.credits())).not.toThrow();
  });

  it('never shows a token', () => {
    registerSecret('tok_SECRET_123456');
    const sent: string[] = [];
    const { log, lines } = captureLog();
    createDesktopNotifier(log, (n, cb) => {
      sent.push(n.message);
      cb(null);
    }).notify(notices.failed('/in/a.avi', 'server said Bearer tok_SECRET_123456 is bad'));
    expect(sent.join('')).not.toContain('tok_SECRET_123456');
    expect(lines.join('')).not.toContain('tok_SECRET_123456');
  });

  // Defect 13: the port to node-notifier (and through it, a shell) receives only safe text.
  it('sends only shell-safe text for hostile file names, and logs the notice as it was', () => {
    const sent: { title: string; message: string }[] = [];
    const { log, entries } = captureLog();
    const notifier = createDesktopNotifier(log, (n, cb) => {
      sent.push(n);
      cb(null);
    });
    const names = ['$(touch x).avi', '`id`.avi', `"q'.avi`, 'a;b.avi', 'new\nline.avi', '-rf.avi'];
    for (const name of names) notifier.notify(notices.failed(`/in/${name}`, 'bad'));
    expect(sent.map((n) => n.message)).toEqual([
      '_(touch x).avi: bad',
      '_id_.avi: bad',
      '_q_.avi: bad',
      'a_b.avi: bad',
      'new line.avi: bad',
      'rf.avi: bad',
    ]);
    for (const n of sent) expect(`${n.title}${n.message}`).toMatch(/^[\p{L}\p{N} .,:_()/-]+$/u);
    expect(entries().map((e) => e.notice)).toContain('$(touch x).avi: bad');
  });

  it('includes the registration link when out of credits as an anonymous user', () => {
    expect(notices.credits('https://nemovideo.ai/register?bind=u1').message).toContain('?bind=u1');
  });
});

describe('notificationTrouble', () => {
  const desktop = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus', DISPLAY: ':0' };
  it.each([
    ['notify-send must be installed on the system.', desktop, 'linux', /notify-send is missing/],
    [
      'Command failed: notify-send ... Cannot autolaunch D-Bus without X11 $DISPLAY',
      desktop,
      'linux',
      /outside a desktop session/,
    ],
    ['Command failed: notify-send exited 1', {}, 'linux', /outside a desktop session/],
    ['Command failed: notify-send exited 1', desktop, 'linux', /not working \(see err\)/],
    ['terminal-notifier failed', {}, 'darwin', /not working \(see err\)/],
  ] as const)('%s (%j, %s)', (message, env, platform, expected) => {
    const text = notificationTrouble(message, env, platform);
    expect(text).toMatch(expected);
    expect(text).toContain('notify: none');
  });

  it('never blames notify-send for a missing desktop session', () => {
    expect(notificationTrouble('Command failed: notify-send exited 1', {}, 'linux')).not.toContain('install');
  });
});
