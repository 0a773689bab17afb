/**
 * A real `nats-server` for tests and benchmarks: spawned from the PATH (Debian's package
 * `nats-server`, which scripts/setup.mjs installs), listening on 127.0.0.1 only, with
 * JetStream storing into a temporary directory that `stop()` removes. No monitoring port is
 * opened. The client port is chosen by the server itself (`127.0.0.1:-1`), so two tests
 * never race for a port; the port it chose is read from its log and kept across `restart()`,
 * so connected clients find it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProcessError } from '../../core/errors.js';
import { checkBoolean, checkNumber, checkString } from '../../core/validate.js';
import { _unwatch, _watch } from './watchdog.js';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream. Default `true`. */
  readonly jetstream?: boolean;
  /** Where JetStream stores its files. Default: a new temporary directory, removed by `stop()` (a directory you give is kept). */
  readonly storeDir?: string;
  /** The program to run: a name looked up on the PATH or a path. Default: `nats-server` on the PATH, else Debian's `/usr/sbin/nats-server`. */
  readonly binary?: string;
  /** How long to wait for the server to say it is ready, in ms. Default `10000`. */
  readonly readyTimeoutMs?: number;
  /** The server's name (JetStream clusters need unique names). Default: one the server makes up. */
  readonly serverName?: string;
  /** The client port. Default: a free one the server picks. */
  readonly port?: number;
  /** Join a cluster: its name, this server's route port and the route URLs of all members (its own is ignored by the server). */
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: readonly string[] };
}

/** A running (or stopped) `nats-server` started by {@link startNatsServer}. */
export interface NatsServer {
  /** The client URL, `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** The client port (the same after `restart()`). */
  readonly port: number;
  /** The server's name (`serverName`; JetStream names a stream's leader by it), or undefined. */
  readonly name: string | undefined;
  /** The JetStream store directory (the same after `restart()`), or undefined without JetStream. */
  readonly storeDir: string | undefined;
  /** The server's process id, or undefined while it is not running. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM to its process group, SIGKILL after 5 s) and removes the temporary directory. Idempotent. */
  stop(): Promise<void>;
  /** Sends `signal` (default `SIGKILL`, a crash) to the server's process group and waits for it to exit; the store is kept for `restart()`. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same ports and store after `kill()`, and waits until it is ready. */
  restart(): Promise<void>;
}

/** The Debian package that provides the program. */
const DEBIAN_PACKAGE = 'nats-server';
/** Where that package installs it: /usr/sbin, which is not on an ordinary user's PATH. */
const DEBIAN_BINARY = '/usr/sbin/nats-server';
/** How many of the server's last log lines an error quotes. */
const TAIL_LINES = 15;
/** How long `stop()` waits for a graceful exit before SIGKILL. */
const STOP_GRACE_MS = 5000;

/** Servers still running: killed when this process exits, so a crashed test leaves no orphan behind. */
const live = new Set<ChildProcess>();
/** Temporary directories of servers not yet stopped: removed when this process exits. */
const workDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) signalGroup(child, 'SIGKILL');
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** Signals the child's process group (it leads one: spawned detached), falling back to the child alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @internal The default program: `nats-server` on the PATH, else Debian's, else the bare name (whose spawn then fails naming the package). */
export function _natsServerBinary(): string {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '');
  const found = dirs.map((dir) => path.join(dir, 'nats-server')).find(isExecutable);
  return found ?? (isExecutable(DEBIAN_BINARY) ? DEBIAN_BINARY : 'nats-server');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  // The child is unref'd; without this, a process with nothing else to do would exit before
  // the exit event arrives (and leave the server unreaped).
  child.ref();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** What the server's log told us once it was ready. */
interface Ready {
  readonly clientPort: number;
}

/** Spawns the server with `configFile` and resolves once its log says "Server is ready". */
function spawnServer(binary: string, configFile: string, workDir: string, timeoutMs: number): Promise<{ child: ChildProcess; ready: Ready }> {
  return new Promise((resolve, reject) => {
    // Detached: the server leads its own process group, so kill(-pid) reaches everything it started.
    const child = spawn(binary, ['-c', configFile], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    const tail: string[] = [];
    let pending = '';
    let clientPort: number | undefined;
    let settled = false;
    const lastLines = (): string => (tail.length ? `; its last log lines:\n${tail.join('\n')}` : '; it wrote nothing');
    const fail = (error: ProcessError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL');
      live.delete(child);
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new ProcessError(binary, null, null, `not ready within ${timeoutMs} ms${lastLines()}`));
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'ENOENT'
          ? `not found (${error.message}); install the Debian package ${DEBIAN_PACKAGE} (\`apt-get install ${DEBIAN_PACKAGE}\`; \`node scripts/setup.mjs\` does, as root)`
          : `could not start: ${error.message}`;
      fail(new ProcessError(binary, null, null, message, { cause: error }));
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (child.pid !== undefined) _unwatch(child.pid);
      fail(new ProcessError(binary, code, signal, `exited before it was ready (${signal ?? `code ${String(code)}`})${lastLines()}`));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        const port = /Listening for client connections on .*:(\d+)\s*$/.exec(line);
        if (port?.[1] !== undefined) clientPort = Number(port[1]);
        if (!settled && line.includes('Server is ready') && clientPort !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve({ child, ready: { clientPort } });
        }
      }
    });
    if (child.pid !== undefined) {
      live.add(child);
      _watch(child.pid, workDir);
    }
    // A test that forgets stop() must not keep its worker alive: the exit hook (or, after a
    // crash, the watchdog) still kills the server.
    child.unref();
    (child.stderr as Socket | null)?.unref();
    installExitHook();
  });
}

/**
 * Starts a real `nats-server` on 127.0.0.1 (JetStream on, temporary store, a free port) and
 * waits until it is ready.
 *
 * @param options What to run and how; see {@link NatsServerOptions}.
 * @returns The running server; call `stop()` when done (e.g. in `afterAll`).
 * @throws ProcessError (`ERR_PROCESS_FAILED`) when the program is missing (the message names
 * the Debian package) or the server exits or is not ready in time (the message quotes its last
 * log lines); ConfigError for bad options.
 *
 * @example
 * import { connect } from '@nats-io/transport-node';
 * import { startNatsServer } from 'avbuf/testing/nats';
 *
 * const server = await startNatsServer({ jetstream: true });
 * const nc = await connect({ servers: server.url });
 * // … use JetStream …
 * await nc.close();
 * await server.stop();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const jetstream = checkBoolean('jetstream', options.jetstream ?? true);
  const binary = options.binary === undefined ? _natsServerBinary() : checkString('binary', options.binary);
  const timeoutMs = checkNumber('readyTimeoutMs', options.readyTimeoutMs ?? 10_000, { min: 0, exclusive: true });
  const requestedPort = options.port === undefined ? undefined : checkNumber('port', options.port, { min: 1, max: 65535, integer: true });
  const givenStoreDir = options.storeDir === undefined ? undefined : checkString('storeDir', options.storeDir);
  const serverName = options.serverName === undefined ? undefined : checkString('serverName', options.serverName);
  const workDir = mkdtempSync(path.join(tmpdir(), 'avbuf-nats-'));
  workDirs.add(workDir);
  const storeDir = jetstream ? (givenStoreDir ?? path.join(workDir, 'store')) : undefined;
  const configFile = path.join(workDir, 'nats-server.conf');

  const writeConfig = (port: number | undefined): void => {
    // nats-server reads JSON as configuration, so JSON.stringify quotes paths and names safely.
    const config: Record<string, unknown> = { listen: `127.0.0.1:${port ?? -1}` };
    if (serverName !== undefined) config['server_name'] = serverName;
    if (storeDir !== undefined) config['jetstream'] = { store_dir: storeDir };
    if (options.cluster !== undefined) {
      const { name, port: routePort, routes } = options.cluster;
      config['cluster'] = { name, listen: `127.0.0.1:${routePort}`, routes: [...routes] };
    }
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  };

  let child: ChildProcess | undefined;
  let stopped = false;
  const start = async (port: number | undefined): Promise<number> => {
    writeConfig(port);
    const started = await spawnServer(binary, configFile, workDir, timeoutMs);
    child = started.child;
    return started.ready.clientPort;
  };

  let port: number;
  try {
    port = await start(requestedPort);
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    workDirs.delete(workDir);
    throw error;
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const current = child;
    if (current === undefined) return;
    signalGroup(current, signal);
    await exited(current);
    live.delete(current);
    child = undefined;
  };

  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    name: serverName,
    storeDir,
    get pid() {
      return child?.pid;
    },
    kill,
    async restart() {
      if (stopped) throw new ProcessError(binary, null, null, 'cannot restart a stopped server');
      await kill('SIGKILL');
      port = await start(port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = child;
      if (current !== undefined) {
        signalGroup(current, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(current, 'SIGKILL'), STOP_GRACE_MS);
        await exited(current);
        clearTimeout(timer);
        live.delete(current);
        child = undefined;
      }
      rmSync(workDir, { recursive: true, force: true });
      workDirs.delete(workDir);
    },
  };
}
