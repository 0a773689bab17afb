/** docs/jetstream.md: the launcher example under "Running a server" runs as written, against the real nats-server. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');
const root = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(!HAS_NATS)('docs/jetstream.md', () => {
  it('has a launcher example that publishes through a crash of a cluster member and stores each chunk once', () => {
    const doc = readFileSync(`${root}docs/jetstream.md`, 'utf8');
    const code = /## Running a server\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toContain("from 'avbuf/testing/nats'");
    mkdirSync(`${root}test-results`, { recursive: true });
    const file = `${root}test-results/docs-jetstream.mts`;
    writeFileSync(file, code!.replace("'avbuf/testing/nats'", `'${pathToFileURL(`${root}src/testing/nats/index.ts`).href}'`));
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect([run.status, run.stdout.trim()], run.stderr).toEqual([0, '2']);
  });

  it('has a media stream example that publishes 100 records and reads them back in order', async () => {
    const doc = readFileSync(`${root}docs/jetstream.md`, 'utf8');
    const code = /## Media streams\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toContain("from 'avbuf/jetstream'");
    const server = await startNatsServer();
    try {
      mkdirSync(`${root}test-results`, { recursive: true });
      const file = `${root}test-results/docs-jetstream-media.mts`;
      writeFileSync(
        file,
        code!.replace("'avbuf/jetstream'", `'${pathToFileURL(`${root}src/jetstream/index.ts`).href}'`).replaceAll('nats://127.0.0.1:4222', server.url),
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      const lines = run.stdout.trim().split('\n');
      expect([run.status, lines.length, lines[0], lines[99]], run.stderr).toEqual([0, 100, 'audio 0 0 1', 'audio 99 990000000 100']);
    } finally {
      await server.stop();
    }
  });
});
