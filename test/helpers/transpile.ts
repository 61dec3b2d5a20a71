import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Transpiled {
  /** Directory holding `src/...` as .js, with node_modules linked so packages resolve. */
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * Node 20 cannot run TypeScript, and a child process killed with SIGKILL must run the real code: this
 * transpiles the given source folders (type-checking is tsc's job elsewhere) into a temp dir.
 */
export async function transpileForChild(paths: string[]): Promise<Transpiled> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-child-'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  for (const p of paths) {
    for (const file of await listTs(join(ROOT, p))) {
      const source = await readFile(file, 'utf8');
      const out = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: file,
      });
      const target = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, out.outputText);
    }
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function listTs(path: string): Promise<string[]> {
  if (path.endsWith('.ts')) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? listTs(join(path, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [join(path, e.name)] : []),
    ),
  );
  return nested.flat();
}
