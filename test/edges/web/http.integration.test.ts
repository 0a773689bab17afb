/** WHATWG streams over avbuf buffers as HTTP bodies: a real node:http server on 127.0.0.1 and the global fetch. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { AvbufError } from '../../../src/core/errors.js';
import { bufferReadableStream } from '../../../src/edges/web/bufferReadableStream.js';
import { bufferWritableStream } from '../../../src/edges/web/bufferWritableStream.js';
import { bytesOf, contents, exactSignal, memoryWith } from './pcm.js';

let server: Server | null = null;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

describe('HTTP bodies', () => {
  it('a server sends a buffer as its response body and fetch receives it bit-exact', async () => {
    const data = exactSignal('s24le', 48000, 2);
    const url = await listen((_request, response) => {
      response.setHeader('content-type', 'audio/L24');
      Readable.fromWeb(bufferReadableStream(memoryWith(data, 2), { format: 's24le' })).pipe(response);
    });
    const body = await (await fetch(url)).arrayBuffer();
    expect(new Uint8Array(body)).toEqual(bytesOf('s24le', data));
  });

  it('fetch uploads a buffer as a streamed request body (duplex: half) into a buffer on the server, bit-exact', async () => {
    const data = exactSignal('f32le', 30000, 2);
    const received = new MemoryBuffer({ channels: 2 });
    const url = await listen((request, response) => {
      Readable.toWeb(request)
        .pipeTo(bufferWritableStream(received, { format: 'f32le' }))
        .then(
          () => response.end('ok'),
          (error: unknown) => response.writeHead(400).end(String(error)),
        );
    });
    const reply = await fetch(url, {
      method: 'POST',
      body: bufferReadableStream(memoryWith(data, 2), { format: 'f32le', chunkFrames: 1000 }),
      duplex: 'half',
    });
    expect(await reply.text()).toBe('ok');
    expect(contents(received)).toEqual(data);
  });

  it('an upload that ends mid-frame is refused with ERR_FRAME_MISALIGNED', async () => {
    const url = await listen((request, response) => {
      Readable.toWeb(request)
        .pipeTo(bufferWritableStream(new MemoryBuffer({ channels: 2 }), { format: 's16le' }))
        .then(
          () => response.end('ok'),
          (error: unknown) => response.writeHead(400).end(error instanceof AvbufError ? error.code : String(error)),
        );
    });
    const reply = await fetch(url, { method: 'POST', body: new Uint8Array(10) });
    expect(reply.status).toBe(400);
    expect(await reply.text()).toBe('ERR_FRAME_MISALIGNED');
  });
});
