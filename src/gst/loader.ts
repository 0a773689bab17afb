/**
 * Loads GStreamer through node-gtk on first use. Nothing else in avbuf imports node-gtk, so
 * the rest of the library works where GStreamer is absent; a gst feature used without it
 * fails with `ERR_GST_UNAVAILABLE` naming what to install.
 */
import { createRequire } from 'node:module';
import { GstError, ErrorCode } from '../core/errors.js';
import type { GstNamespace } from './binding.js';

/** Debian packages GStreamer and node-gtk need (node-gtk compiles against the -dev ones). */
export const GST_DEBIAN_PACKAGES = [
  'libgirepository1.0-dev',
  'libcairo2-dev',
  'gir1.2-gstreamer-1.0',
  'gir1.2-gst-plugins-base-1.0',
  'gstreamer1.0-tools',
  'gstreamer1.0-plugins-base',
  'gstreamer1.0-plugins-good',
] as const;

const INSTALL_HINT =
  `install the Debian packages (apt-get install ${GST_DEBIAN_PACKAGES.join(' ')}), ` +
  'then reinstall node-gtk so it compiles against them (npm 11 runs its build only when ' +
  'package.json lists it under "allowScripts"; `npm run setup` does all of this as root)';

export interface GstRuntime {
  readonly Gst: GstNamespace;
  /** GStreamer's version as "major.minor.micro". */
  readonly version: string;
}

interface NodeGtk {
  require(namespace: string, version: string): unknown;
}

let runtime: GstRuntime | undefined;
let failure: GstError | undefined;

/**
 * GStreamer, initialised once. Throws {@link GstError} `ERR_GST_UNAVAILABLE` when node-gtk
 * or GStreamer's introspection data is missing; the message names the packages to install.
 */
export function loadGst(): GstRuntime {
  if (runtime) return runtime;
  if (failure) throw failure;
  const require = createRequire(import.meta.url);
  let gi: NodeGtk;
  try {
    gi = require('node-gtk') as NodeGtk;
  } catch (cause) {
    failure = new GstError(ErrorCode.GST_UNAVAILABLE, `node-gtk is not installed or has no compiled binding (${firstLine(cause)}); ${INSTALL_HINT}`, { cause });
    throw failure;
  }
  try {
    const Gst = gi.require('Gst', '1.0') as GstNamespace;
    gi.require('GstApp', '1.0'); // gives appsink/appsrc their AppSink/AppSrc methods
    Gst.init(null);
    runtime = { Gst, version: Gst.version().slice(0, 3).join('.') };
    return runtime;
  } catch (cause) {
    failure = new GstError(ErrorCode.GST_UNAVAILABLE, `GStreamer's introspection data could not be loaded (${firstLine(cause)}); ${INSTALL_HINT}`, { cause });
    throw failure;
  }
}

/** True when GStreamer can be loaded here. Never throws. */
export function isGstAvailable(): boolean {
  try {
    loadGst();
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws `ERR_GST_UNAVAILABLE` naming every element in `names` that no installed plugin
 * provides (and the Debian packages that usually do).
 */
export function requireElements(names: readonly string[]): void {
  const { Gst } = loadGst();
  const missing = names.filter((name) => !Gst.ElementFactory.find(name));
  if (missing.length > 0) {
    throw new GstError(
      ErrorCode.GST_UNAVAILABLE,
      `GStreamer element${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}; ` +
        `install gstreamer1.0-plugins-base and gstreamer1.0-plugins-good (apt-get install ${GST_DEBIAN_PACKAGES.join(' ')})`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
