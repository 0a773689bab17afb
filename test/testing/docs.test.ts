/** docs/testing.md: its examples are the ones that run, and its reference names every export. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as kit from '../../src/testing/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(`${root}docs/testing.md`, 'utf8');
const block = (heading: string, lang: string): string => {
  const code = new RegExp(`## ${heading}[^\\n]*\\n[\\s\\S]*?\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  expect(code, heading).toBeDefined();
  return code!;
};

describe('docs/testing.md', () => {
  it('shows test/testing/docsExample.test.ts as it is, with the package\'s import paths', () => {
    const example = readFileSync(`${root}test/testing/docsExample.test.ts`, 'utf8')
      .replace("'../../src/streams/index.js'", "'avbuf/streams'")
      .replace("'../../src/testing/index.js'", "'avbuf/testing'");
    expect(block('A marble test', 'ts')).toBe(example);
  });

  it('has a node:test example that passes under node --test, with no vitest in it', () => {
    const code = block('With node:test', 'js');
    expect(code).not.toContain('vitest');
    const source = (dir: string) => `'${pathToFileURL(`${root}src/${dir}/index.ts`).href}'`;
    mkdirSync(`${root}test-results`, { recursive: true });
    const file = `${root}test-results/docs-testing-node.mjs`;
    writeFileSync(file, code.replace("'avbuf/streams'", source('streams')).replace("'avbuf/testing'", source('testing')));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(/^# pass 1$/m);
    expect(run.stdout).toMatch(/^# fail 0$/m);
    expect(run.status).toBe(0);
  });

  it('names every export of avbuf/testing', () => {
    const missing = Object.keys(kit).filter((name) => !doc.includes(`${name}(`));
    expect(missing).toEqual([]);
  });
});
