/**
 * The page's WebSocket to the inspector: binary msgpackr frames, decoded and checked, and a
 * reconnect with exponential backoff when the server goes away (a restarted process, a
 * laptop waking up). The server sends a full 'hello' and every actor again on each connect,
 * so the page needs no resume logic.
 */
import { pack, unpack } from 'msgpackr';
import type { ClientMessage, ServerMessage } from '../protocol.js';
import { readMessage } from './messages.js';

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  | { state: 'closed'; retryInMs: number; reason: string };

export interface ConnectionHandlers {
  message(message: ServerMessage): void;
  status(status: ConnectionStatus): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
/** Keeps idle proxies and the server's liveness check content; the server ignores the content. */
const PING_MS = 15_000;

/** `ws://host/ws?token=…` for a page served at `http://host/?token=…`. */
export function socketUrl(page: Location | URL): string {
  const url = new URL('/ws', page.href);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(page.search).get('token');
  if (token !== null) url.searchParams.set('token', token);
  return url.href;
}

/** Connects and stays connected until `close()`. */
export class Connection {
  readonly #url: string;
  readonly #handlers: ConnectionHandlers;
  #socket: WebSocket | null = null;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(url: string, handlers: ConnectionHandlers) {
    this.#url = url;
    this.#handlers = handlers;
    this.#open();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#socket?.close();
  }

  send(message: ClientMessage): void {
    // msgpackr's types name Node's Buffer; in the browser pack() returns a Uint8Array.
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(pack(message) as Uint8Array);
  }

  #open(): void {
    this.#attempt++;
    this.#handlers.status({ state: 'connecting', attempt: this.#attempt });
    const socket = new WebSocket(this.#url);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.#handlers.status({ state: 'open' });
      this.#ping = setInterval(() => this.send({ t: 'ping', at: Date.now() }), PING_MS);
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (!(event.data instanceof ArrayBuffer)) return; // the protocol has binary frames only
      let decoded: unknown;
      try {
        decoded = unpack(new Uint8Array(event.data));
      } catch (error) {
        console.warn('inspector: undecodable frame dropped', error);
        return;
      }
      const message = readMessage(decoded);
      if (message) this.#handlers.message(message);
    });
    socket.addEventListener('close', (event) => {
      clearInterval(this.#ping);
      if (this.#closed) return;
      const retryInMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(this.#attempt, 10)) * (0.8 + 0.4 * Math.random());
      // 1008 (policy violation) and 4001–4003 are how a server says "wrong token".
      const reason = event.code === 1008 || (event.code >= 4001 && event.code <= 4003) ? 'refused: is the token in the address right?' : event.reason || 'connection lost';
      this.#handlers.status({ state: 'closed', retryInMs, reason });
      this.#retry = setTimeout(() => this.#open(), retryInMs);
    });
  }
}
