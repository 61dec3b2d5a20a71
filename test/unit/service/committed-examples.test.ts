import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderLaunchdPlist } from '../../../src/service/launchd-plist.js';
import { renderSystemdUnit } from '../../../src/service/systemd-unit.js';

/**
 * systemd/video-inbox.service and launchd/com.video-inbox.agent.plist are what the renderers produce
 * for an example user "you", for people who install by hand. This test fails when they go stale;
 * UPDATE_SERVICE_EXAMPLES=1 npx vitest run test/unit/service/committed-examples.test.ts rewrites them.
 */
const root = new URL('../../../', import.meta.url);

const SYSTEMD = [
  '# EXAMPLE for a user "you" with node from the distribution. `video-inbox service install` writes the',
  '# right one for your machine. By hand: replace the paths, copy this file to ~/.config/systemd/user/,',
  '# put NEMO_TOKEN=… in ~/.config/video-inbox/service.env (chmod 600), then run',
  '# systemctl --user daemon-reload && systemctl --user enable --now video-inbox.service',
  renderSystemdUnit({
    nodePath: '/usr/bin/node',
    scriptPath: '/usr/lib/node_modules/video-inbox/dist/src/cli/bin.js',
    configPath: '/home/you/.config/video-inbox/config.yaml',
    envFile: '/home/you/.config/video-inbox/service.env',
    writablePaths: ['/home/you/.local/state/video-inbox', '/home/you/Videos/video-inbox'],
  }),
].join('\n');

const LAUNCHD = renderLaunchdPlist({
  nodePath: '/opt/homebrew/bin/node',
  scriptPath: '/opt/homebrew/lib/node_modules/video-inbox/dist/src/cli/bin.js',
  configPath: '/Users/you/.config/video-inbox/config.yaml',
  envFile: '/Users/you/.config/video-inbox/service.env',
  logDir: '/Users/you/Library/Logs/video-inbox',
  home: '/Users/you',
  path: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
}).replace(
  '<plist version',
  [
    '<!-- EXAMPLE for a user "you" with node from Homebrew. `video-inbox service install` writes the right',
    '     one for your machine. By hand: replace the paths, copy this file to ~/Library/LaunchAgents/,',
    '     mkdir -p ~/Library/Logs/video-inbox, put NEMO_TOKEN=… in ~/.config/video-inbox/service.env',
    '     (chmod 600), then run launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/com.video-inbox.agent.plist -->',
    '<plist version',
  ].join('\n'),
);

describe('committed service examples', () => {
  it.each([
    ['systemd/video-inbox.service', SYSTEMD],
    ['launchd/com.video-inbox.agent.plist', LAUNCHD],
  ])('%s is what the renderer produces', async (rel, expected) => {
    const path = fileURLToPath(new URL(rel, root));
    if (process.env.UPDATE_SERVICE_EXAMPLES === '1') await writeFile(path, expected);
    expect(await readFile(path, 'utf8'), `${rel} is stale: see the comment at the top of this test`).toBe(
      expected,
    );
  });
});
