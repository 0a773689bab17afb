/**
 * The layers of src/ as .dependency-cruiser.cjs writes them: the real tree has no violation and
 * no cycle, a planted upward import or cycle in a scratch tree is caught by the same rules, and
 * docs/architecture.md draws and tabulates exactly the same layers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type IReporterOutput } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const config = require(path.join(ROOT, '.dependency-cruiser.cjs')) as ICruiseOptions['ruleSet'] & {
  LAYERS: Record<string, string[]>;
  TOP_LEVEL_MAY_IMPORT: string[];
};
const LAYERS = config.LAYERS;

/** The rule names violated when cruising `src` under `baseDir`. */
async function violations(baseDir: string, tsConfig?: string): Promise<string[]> {
  const options: ICruiseOptions = {
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
    baseDir,
    tsPreCompilationDeps: true,
    ...(tsConfig ? { tsConfig: { fileName: tsConfig } } : {}),
    doNotFollow: { path: 'node_modules' },
  };
  const result: IReporterOutput = await cruise(['src'], options);
  if (typeof result.output === 'string') throw new Error('expected a cruise result object');
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

/** The edges a → b of LAYERS that no longer path a → c → … → b implies. */
function reducedEdges(): string[] {
  const reach = (from: string, seen = new Set<string>()): Set<string> => {
    for (const to of LAYERS[from] ?? []) if (!seen.has(to)) reach(to, seen.add(to));
    return seen;
  };
  return Object.entries(LAYERS).flatMap(([from, tos]) =>
    tos.filter((to) => !tos.some((via) => via !== to && reach(via).has(to))).map((to) => `${from} --> ${to}`),
  );
}

describe('the layers (.dependency-cruiser.cjs)', () => {
  const scratch: string[] = [];
  afterAll(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  /** A scratch project with the given src files. */
  function tree(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'avbuf-layers-'));
    scratch.push(dir);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return dir;
  }

  it('are transitively closed: a layer may import whatever the layers it imports may', () => {
    for (const [layer, allowed] of Object.entries(LAYERS)) {
      for (const below of allowed) for (const further of LAYERS[below] ?? []) expect(allowed, `${layer} → ${below} → ${further}`).toContain(further);
    }
  });

  it('hold on src/: no upward import, no cycle, nothing from the command line in the library', async () => {
    expect(await violations(ROOT, path.join(ROOT, 'tsconfig.json'))).toEqual([]);
  }, 60_000);

  it('catch a planted upward import, a cycle and the entry point importing the CLI', async () => {
    const dir = tree({
      'src/core/errors.ts': "import { run } from '../cli/main.js';\nexport const x = run;\n",
      'src/cli/main.ts': "export const run = 1;\n",
      'src/buffers/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/buffers/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'src/actors/manager.ts': "import type { x } from '../inspect/index.js';\nexport type Y = typeof x;\n",
      'src/inspect/index.ts': 'export const x = 1;\n',
      'src/index.ts': "export { run } from './cli/main.js';\n",
    });
    const found = await violations(dir);
    expect(found).toEqual(
      expect.arrayContaining([
        'layer-core: src/core/errors.ts → src/cli/main.ts',
        'layer-actors: src/actors/manager.ts → src/inspect/index.ts',
        'top-level-not-cli: src/index.ts → src/cli/main.ts',
        'no-circular: src/buffers/a.ts → src/buffers/b.ts',
      ]),
    );
    // And the same tree with the imports pointing down passes.
    const clean = tree({
      'src/core/errors.ts': 'export const x = 1;\n',
      'src/cli/main.ts': "import { x } from '../core/errors.js';\nexport const run = x;\n",
      'src/index.ts': "export { x } from './core/errors.js';\n",
    });
    expect(await violations(clean)).toEqual([]);
  }, 60_000);

  it('are what docs/architecture.md tabulates and draws', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    const rows = Object.fromEntries(
      [...doc.matchAll(/^\| `src\/([a-z]+)\/` \|[^|]*\| ([^|]*) \|$/gm)].map((m) => [m[1]!, [...m[2]!.matchAll(/`([a-z]+)`/g)].map((n) => n[1]!)]),
    );
    expect(rows).toEqual(LAYERS);
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const edges = [...mermaid.matchAll(/^\s*([a-z]+) --> ([a-z]+)\s*$/gm)].map((m) => `${m[1]} --> ${m[2]}`);
    expect(edges.sort()).toEqual(reducedEdges().sort());
  });
});
