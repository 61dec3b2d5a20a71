import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo } from '../helpers/media.js';
import {
  distIsFresh,
  killChildren,
  makeSandbox,
  root,
  runCli,
  spawnDaemon,
  waitFor,
  type Sandbox,
} from '../integration/daemon/harness.js';
import { apiOf } from '../integration/http/http-client.js';

/**
 * The status page in a real browser (Debian's chromium through playwright-core), served by the built
 * daemon: signed in through `video-inbox open`, rows appear and move to done from the event stream
 * without a reload, Retry on a failed file, pause and resume.
 * `UPDATE_SCREENSHOTS=1` writes docs/images/status-page.png (the README's screenshot).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let sb: Sandbox | undefined;
let context: BrowserContext | undefined;
let profile: string;
let media: string;

beforeAll(async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  media = await mkdtemp(join(tmpdir(), 'vi-page-media-'));
  await makeVideo(join(media, 'holiday.mov'));
  await makeVideo(join(media, 'birthday.mp4'), { durationSec: 2 });
});

afterAll(async () => {
  await rm(media, { recursive: true, force: true });
});

afterEach(async () => {
  await context?.close();
  await killChildren();
  await sb?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  sb = context = undefined;
});

const row = (page: Page, file: string) => page.locator(`tr[data-file="${file}"]`);

describe('the status page in a real browser', () => {
  it('shows a dropped file reach done live, retries a failed file, pauses and resumes', async () => {
    sb = await makeSandbox({ emulator: { instructionMs: 600 } });
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    const api = await apiOf(sb);

    profile = await mkdtemp(join(tmpdir(), 'vi-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1100, height: 720 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));

    // Without a session the page says how to sign in, and shows no data.
    await page.goto(api.url);
    await expect.poll(() => page.locator('#signin').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.locator('#jobs-section').isVisible()).toBe(false);

    const opened = await runCli(sb, ['open', '--config', sb.configPath]);
    expect(opened.code).toBe(0);
    await page.goto(opened.stdout.trim());
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 30_000 }).toBe('Live');
    // A marker that a reload would wipe.
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });

    // A file dropped into the inbox appears and reaches done, without a reload.
    await copyFile(join(media, 'holiday.mov'), join(sb.inbox, 'holiday.mov'));
    await row(page, 'holiday.mov').waitFor({ timeout: 60_000 });
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const state = await row(page, 'holiday.mov').getAttribute('data-state');
        if (state) seen.add(state);
        return state === 'done';
      },
      90_000,
      'holiday.mov done on the page',
    );
    // It was watched moving through the stages, not only found finished.
    expect([...seen].some((s) => s !== 'done')).toBe(true);
    expect(await row(page, 'holiday.mov').locator('.state').textContent()).toBe('done');

    // A failed file shows its reason and a Retry button.
    sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
    await copyFile(join(media, 'birthday.mp4'), join(sb.inbox, 'birthday.mp4'));
    await expect
      .poll(() => row(page, 'birthday.mp4').getAttribute('data-state'), { timeout: 90_000 })
      .toBe('failed');
    expect(await row(page, 'birthday.mp4').locator('.reason').textContent()).toMatch(/Unsupported file type/);
    expect(await row(page, 'birthday.mp4').locator('.aside').textContent()).toBe(
      `Moved to ${join(sb.inbox, '_failed', 'birthday.mp4')}`,
    );
    await expect
      .poll(() => page.locator('#log').textContent(), { timeout: 30_000 })
      .toMatch(/birthday\.mp4 failed: /);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir(join(root, 'docs', 'images'), { recursive: true });
      await page.screenshot({ path: join(root, 'docs', 'images', 'status-page.png'), fullPage: true });
    }
    await row(page, 'birthday.mp4').locator('button.retry').click();
    // The retried file is converted (as a new attempt of the same file, listed above the failed one).
    await page.locator('tr[data-file="birthday.mp4"][data-state="done"]').waitFor({ timeout: 90_000 });

    // Pause and resume from the page; the daemon agrees.
    await page.locator('#pause').click();
    // expect.poll gives up after 1 s unless told: a loaded machine needs longer for the round trip.
    await expect.poll(() => page.locator('#run-state').textContent(), { timeout: 30_000 }).toBe('Paused');
    expect((await api.get('/api/state')).json()).toMatchObject({ paused: true, drain: false });
    await page.locator('#resume').click();
    await expect
      .poll(() => page.locator('#run-state').textContent(), { timeout: 30_000 })
      .toMatch(/^Running/);
    expect((await api.get('/api/state')).json()).toMatchObject({ paused: false });

    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    expect(problems).toEqual([]);

    // Readable on a phone: the table folds into rows that fit the width.
    await page.setViewportSize({ width: 390, height: 800 });
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
  }, 240_000);
});
