/** avbuf/testing works under any test framework: it imports rxjs and avbuf's own modules only. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as kit from '../../src/testing/index.js';

const dir = fileURLToPath(new URL('../../src/testing/', import.meta.url));

describe('avbuf/testing', () => {
  it('imports nothing but rxjs, rxjs/testing, its own files and avbuf\'s core and streams', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('index.ts');
    const specifiers = files.flatMap((f) => [...readFileSync(dir + f, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]!));
    expect(specifiers.length).toBeGreaterThan(files.length);
    const foreign = specifiers.filter((s) => !/^(rxjs|rxjs\/testing|\.\/[\w]+\.js|\.\.\/(core|streams)\/[\w]+\.js)$/.test(s));
    expect(foreign).toEqual([]);
  });

  it('exports the documented API and no internals', () => {
    expect(Object.keys(kit).sort()).toEqual(
      [
        'audioChunk',
        'audioChunks',
        'chunkTimes',
        'completeAt',
        'errorAt',
        'frameTimes',
        'marbleValues',
        'nextAt',
        'ptsContinuity',
        'runMarbles',
        'sampleCounter',
        'scheduledSource',
        'sineChunks',
        'timedValues',
        'videoFrames',
        'virtualClock',
      ].sort(),
    );
  });
});
