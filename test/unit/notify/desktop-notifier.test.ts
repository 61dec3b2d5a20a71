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
