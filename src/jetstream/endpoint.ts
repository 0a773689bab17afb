/**
 * What a publisher and a reader share: a NATS connection (given, or opened from URLs and then
 * owned and closed with them) and the media stream they use.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { invalid, show } from '../core/validate.js';
import { connectNats, type ConnectNatsOptions } from './connection.js';
import { ensureMediaStream, resolveMediaStream, type MediaStreamOptions, type MediaStreamSpec } from './mediaStream.js';

/** Where to find NATS: an open connection (kept open by avbuf), or URLs to connect to. */
export type NatsEndpoint =
  | { readonly connection: NatsConnection; readonly servers?: undefined }
  | ({ readonly servers: ConnectNatsOptions['servers']; readonly connection?: undefined } & Omit<ConnectNatsOptions, 'servers'>);

/** A connection and stream ready to use. */
export interface OpenEndpoint {
  readonly nc: NatsConnection;
  /** True when avbuf opened the connection (and closes it). */
  readonly owned: boolean;
  readonly spec: MediaStreamSpec;
}

/**
 * Opens the endpoint: connects (when given URLs) and makes or updates the stream, or with
 * `create: false` only resolves its names (the stream must exist).
 */
export async function openEndpoint(options: NatsEndpoint & MediaStreamOptions, create: boolean): Promise<OpenEndpoint> {
  const given = options.connection;
  const servers = (options as { servers?: unknown }).servers;
  if (given === undefined && servers === undefined) invalid('servers', `give servers (nats:// URLs) or a connection, got ${show(servers)}`);
  const spec = resolveMediaStream(options);
  const nc = given ?? (await connectNats(options));
  try {
    if (create) {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      await ensureMediaStream(await jetstreamManager(nc), options);
    }
  } catch (error) {
    if (given === undefined) await nc.close();
    throw error;
  }
  return { nc, owned: given === undefined, spec };
}
