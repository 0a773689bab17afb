/**
 * A watchdog that outlives this process: one small `sh` per process, reading from a pipe the
 * process groups of the servers we started and their temporary directories. When this process
 * ends in any way — SIGKILL or a test runner's timeout included, where no 'exit' handler
 * runs — the pipe closes, and the watchdog kills the groups still listed and removes their
 * directories. So a crashed test run leaves no `nats-server` and no store behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * dash's `kill` takes `-9 -PGID` (not `--`); a group is waited for (at most 5 s: a zombie
 * counts as alive until its new parent reaps it) before its directory is removed, so a dying
 * server cannot write into a directory after it was removed.
 */
const SCRIPT = `
live=''
while read -r verb pgid dir; do
  case "$verb" in
    watch) live="$live $pgid"; eval "dir_$pgid=\\$dir" ;;
    unwatch) live=$(for p in $live; do [ "$p" = "$pgid" ] || printf '%s ' "$p"; done) ;;
  esac
done
for p in $live; do kill -9 -$p 2>/dev/null; done
for p in $live; do
  n=0
  while kill -0 -$p 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  eval "d=\\$dir_$p"
  [ -n "$d" ] && rm -rf -- "$d"
done
`;

let watchdog: ChildProcess | undefined;

function send(line: string): void {
  if (watchdog === undefined) {
    // Its own process group: a runner that kills our group must not take the watchdog with it.
    watchdog = spawn('sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // No watchdog (no sh) only means less cleaning up after a crash; the servers still work.
    watchdog.on('error', () => undefined);
    watchdog.stdin?.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
  }
  watchdog.stdin?.write(`${line}\n`);
}

/** @internal Kill process group `pgid` (and remove `dir`, a temporary directory) should this process end before {@link _unwatch}. */
export function _watch(pgid: number, dir: string): void {
  // One line per message: a directory whose name holds a newline is not removed after a crash.
  send(dir.includes('\n') ? `watch ${pgid}` : `watch ${pgid} ${dir}`);
}

/** @internal Forget process group `pgid`: it has exited. */
export function _unwatch(pgid: number): void {
  send(`unwatch ${pgid}`);
}
