import { afterEach, describe, expect, it } from 'vitest';
import { distIsFresh, runCli } from '../daemon/harness.js';
import { makeClusterWorld, REDIS_PASSWORD, type ClusterWorld } from './cluster-world.js';

let world: ClusterWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Issue 13, point 1: `validate` checks the cluster's Redis, and never shows its password. */
describe.skipIf(!distIsFresh())(
  'video-inbox validate with a cluster block (run `npm run build` first)',
  () => {
    it('reports a Redis that answers, and a wrong password with what to do, without printing it', async () => {
      world = await makeClusterWorld({ nodes: 1 });
      const { sb } = world;
      const ok = await runCli(sb, ['validate', '--config', world.nodeConfig(0)]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        /OK: Redis 7\.\d+\.\d+ at redis:\/\/127\.0\.0\.1:\d+\/0 answers \(node node-0\)/,
      );

      const wrong = await runCli({ ...sb, env: { ...sb.env, VI_REDIS_PASSWORD: 'not-the-password-123' } }, [
        'validate',
        '--config',
        world.nodeConfig(0),
      ]);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('did not answer');
      expect(wrong.stderr).toContain('$VI_REDIS_PASSWORD');
      expect(`${wrong.stdout}${wrong.stderr}`).not.toContain('not-the-password-123');
      expect(`${ok.stdout}${wrong.stdout}${wrong.stderr}`).not.toContain(REDIS_PASSWORD);

      await world.redis.stop();
      const down = await runCli(sb, ['validate', '--config', world.nodeConfig(0)]);
      expect(down.code).toBe(2);
      expect(down.stderr).toContain('Check cluster.redis, that redis-server runs there');
    });
  },
);
