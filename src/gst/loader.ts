/**
 * Loads GStreamer through node-gtk on first use. Nothing else in avbuf imports node-gtk, so
 * the rest of the library works where GStreamer is absent; a gst feature used without it
 * fails with `ERR_GST_UNAVAILABLE` naming what to install.
 */
import { createRequire } from 'node:module';
import { GstError, ErrorCode } from '../core/errors.js';
import type { GstClock, GstNamespace } from './binding.js';
import table from './elements.json' with { type: 'json' };

/**
 * The one table of what avbuf needs from Debian for GStreamer, read by the set-up
 * (scripts/setup.mjs installs and checks it), by this loader's error messages, by docs/gst.md
 * and by test/gst/elements.test.ts (which fails when the code names an element the table
 * lacks, or when a package does not really provide its element).
 */
/** Every GStreamer element the project uses → the Debian package that provides it. */
export const GST_ELEMENT_PACKAGES: Readonly<Record<string, string>> = Object.freeze({ ...table.elements });

/** GObject-introspection typelibs loaded through node-gtk → their Debian packages. */
export const GST_TYPELIB_PACKAGES: Readonly<Record<string, string>> = Object.freeze({ ...table.typelibs });

/** Debian packages GStreamer and node-gtk need (node-gtk compiles against the -dev ones). */
export const GST_DEBIAN_PACKAGES: readonly string[] = Object.freeze(
  [...new Set([...Object.keys(table.buildHeaders), ...Object.values(table.typelibs), ...Object.values(table.programs), ...Object.values(table.elements)])].sort(),
);

/** The Debian package that provides GStreamer element `name`, when avbuf knows it. */
export function packageForElement(name: string): string | undefined {
  return Object.hasOwn(GST_ELEMENT_PACKAGES, name) ? GST_ELEMENT_PACKAGES[name] : undefined;
}

/**
 * A sentence naming, for each element, the package that provides it, and the one apt-get
 * line that installs them; elements outside the table are named with how to find theirs.
 */
export function missingElementsHint(names: readonly string[]): string {
  const known = names.map((name) => [name, packageForElement(name)] as const);
  const packages = [...new Set(known.flatMap(([, pkg]) => (pkg ? [pkg] : [])))];
  const each = known.map(([name, pkg]) => `${name} (${pkg ?? 'not in the table of src/gst/elements.json: find the plugin that provides it with apt-file search'})`).join(', ');
  return packages.length > 0 ? `${each}; install with: apt-get install ${packages.join(' ')}` : each;
}

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

/** GStreamer's network clock (`GstNet-1.0`): a time provider and a client clock. */
export interface GstNetNamespace {
  NetTimeProvider: { new: (clock: GstClock, address: string, port: number) => { port: number; active: boolean } };
  NetClientClock: { new: (name: string, address: string, port: number, baseTime: bigint) => GstClock & { waitForSync(timeout: bigint): boolean } };
}

let net: GstNetNamespace | undefined;

/**
 * The GstNet typelib, loaded once (with GStreamer). Throws `ERR_GST_UNAVAILABLE` naming the
 * package when it is missing.
 */
export function loadGstNet(): GstNetNamespace {
  if (net) return net;
  loadGst();
  try {
    net = (createRequire(import.meta.url)('node-gtk') as NodeGtk).require('GstNet', '1.0') as GstNetNamespace;
    return net;
  } catch (cause) {
    throw new GstError(ErrorCode.GST_UNAVAILABLE, `GStreamer's network clock (GstNet-1.0) could not be loaded (${firstLine(cause)}); install ${GST_TYPELIB_PACKAGES['GstNet-1.0']}`, { cause });
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
 * provides, each with the Debian package that provides it (from src/gst/elements.json).
 */
export function requireElements(names: readonly string[]): void {
  const { Gst } = loadGst();
  const missing = names.filter((name) => !Gst.ElementFactory.find(name));
  if (missing.length > 0) {
    throw new GstError(
      ErrorCode.GST_UNAVAILABLE,
      `GStreamer element${missing.length > 1 ? 's' : ''} not found: ${missingElementsHint(missing)}`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
