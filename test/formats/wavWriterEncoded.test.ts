/** WavWriter.writeEncoded: frames encoded elsewhere (a worker) are written as they are. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { encodeInto } from '../../src/formats/codecs.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-encoded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WavWriter.writeEncoded', () => {
  it('writes pre-encoded 24-bit frames between ordinary writes, in call order', async () => {
    const path = join(dir, 'mixed.wav');
    const writer = await WavWriter.create(path, { format: 's24', channels: 2, sampleRate: 48000 });
    const a = Float32Array.from({ length: 200 }, (_, i) => i / 400);
    const b = Float32Array.from({ length: 100 }, (_, i) => -i / 200);
    const bBytes = new Uint8Array(b.length * 3);
    encodeInto('s24', b, bBytes, b.length);
    await Promise.all([writer.write(a), writer.writeEncoded(bBytes), writer.write(a)]);
    const info = await writer.close();
    expect(info.frames).toBe(250);
    const reader = await WavReader.open(path);
    const back = new Float32Array(500);
    await reader.read(back, 0);
    await reader.close();
    const q = (x: number): number => Math.round(x * 8388608) / 8388608 + 0; // + 0: an integer sample has no -0
    expect(Array.from(back)).toEqual([...a, ...b, ...a].map(q));
  });

  it('refuses bytes that are not whole frames with ERR_FRAME_MISALIGNED, writing nothing', async () => {
    const writer = await WavWriter.create(join(dir, 'bad.wav'), { format: 's16', channels: 2, sampleRate: 8000 });
    await expect(writer.writeEncoded(new Uint8Array(6))).rejects.toMatchObject({ code: ErrorCode.FRAME_MISALIGNED });
    expect(writer.frames).toBe(0);
    await writer.abort();
  });
});
