/**
 * avbuf/testing/nats: real `nats-server`s for tests and benchmarks of JetStream code — one
 * server or a cluster, on 127.0.0.1, with temporary stores, stopped and removed afterwards.
 * Kept apart from avbuf/testing because it spawns processes and loads the NATS client, which
 * the framework-neutral helpers there do not. See docs/jetstream.md.
 */
export { startNatsServer, type NatsServer, type NatsServerOptions } from './natsServer.js';
export { startNatsCluster, type NatsCluster, type NatsClusterOptions } from './natsCluster.js';
