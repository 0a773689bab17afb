/**
 * The table of src/gst/elements.json cannot drift: every GStreamer element the project names
 * is in it, nothing in it is unused, each package really provides its element, typelib and
 * program on this Debian machine, the set-up installs every package, and docs/gst.md and the
 * README show the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import table from '../../src/gst/elements.json' with { type: 'json' };
import { GST_DEBIAN_PACKAGES, GST_ELEMENT_PACKAGES, loadGst, missingElementsHint, packageForElement, requireElements } from '../../src/gst/loader.js';
import { isAvbufError } from '../../src/index.js';
import { collectElementUses, elementsInDescription } from '../helpers/pipelineElements.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Names used on purpose as elements that do not exist (the tests of the missing-element errors). */
const NOT_ELEMENTS = new Set(['nosuchelement', 'nosuchelement2']);

/** The Debian packages owning `files` (one dpkg call), trying the /usr-merged spellings of each path. */
function owningPackages(files: readonly string[]): Map<string, string | undefined> {
  const spellings = (file: string): string[] => [...new Set([file, realpathSync(file), file.startsWith('/usr/') ? file.slice(4) : `/usr${file}`])];
  const r = spawnSync('dpkg', ['-S', ...new Set(files.flatMap(spellings))], { encoding: 'utf8' });
  const owner = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([^:,\s]+)(?::[a-z0-9]+)?: (.+)$/.exec(line);
    if (m) owner.set(m[2]!, m[1]!);
  }
  return new Map(files.map((file) => [file, spellings(file).map((s) => owner.get(s)).find((p) => p !== undefined)]));
}

function owningPackage(file: string): string | undefined {
  return owningPackages([file]).get(file);
}

/** The plugin file that provides `element`, as GStreamer's registry knows it (what gst-inspect-1.0 prints as Filename). */
function pluginFile(element: string): string | undefined {
  const factory = loadGst().Gst.ElementFactory.find(element) as { getPlugin(): { getFilename(): string | null } | null } | null;
  return factory?.getPlugin()?.getFilename() ?? undefined;
}

function setupList(): { debianPackages: string[]; programs: Record<string, [string, string]> } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/setup.mjs'), '--list'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { debianPackages: string[]; programs: Record<string, [string, string]> };
}

describe('the element table (src/gst/elements.json)', () => {
  const uses = collectElementUses(ROOT);
  const used = new Set(uses.map((u) => u.element).filter((name) => !NOT_ELEMENTS.has(name)));

  it('the collector finds the elements of a description, a gst-launch argument list and an element with settings', () => {
    expect(elementsInDescription('videotestsrc is-live=true ! video/x-raw,width=320 ! queue ! appsink name=video')).toEqual(['videotestsrc', 'queue', 'appsink']);
    expect(elementsInDescription('dec. ! queue ! mux.')).toEqual(['queue']);
    expect(elementsInDescription('appsink name=video sync=false')).toEqual(['appsink']);
    expect(elementsInDescription('invalid config field "x": expected 1')).toEqual([]);
    // The delay line's own descriptions are found, the overlays among them.
    expect(uses.filter((u) => u.file === path.join('src', 'gst', 'delayLine.ts')).map((u) => u.element)).toEqual(
      expect.arrayContaining(['videotestsrc', 'audiotestsrc', 'timeoverlay', 'clockoverlay', 'vp8enc', 'vorbisenc', 'webmmux', 'appsink', 'appsrc']),
    );
  });

  it('lists every element any code, test, benchmark, fixture or doc example names', () => {
    const missing = uses.filter((u) => !NOT_ELEMENTS.has(u.element) && packageForElement(u.element) === undefined);
    expect(missing.map((u) => `${u.element} (${u.file}:${u.line})`)).toEqual([]);
  });

  it('lists no element that nothing uses', () => {
    expect(Object.keys(GST_ELEMENT_PACKAGES).filter((name) => !used.has(name))).toEqual([]);
  });

  it('names, for each element, the package that really provides it on this machine', () => {
    const files = new Map(Object.keys(table.elements).map((element) => [element, pluginFile(element)]));
    const owners = owningPackages([...files.values()].filter((f) => f !== undefined));
    const wrong: string[] = [];
    for (const [element, pkg] of Object.entries(table.elements)) {
      const file = files.get(element);
      const owner = file === undefined ? undefined : owners.get(file);
      if (owner !== pkg) wrong.push(`${element}: table says ${pkg}, plugin ${file ?? '(not found by gst-inspect-1.0)'} is in ${owner ?? '(no package)'}`);
    }
    expect(wrong).toEqual([]);
  });

  it('names the packages of the typelibs node-gtk loads and of the gst tools', () => {
    const libDirs = ['/usr/lib', ...readdirSync('/usr/lib').map((d) => `/usr/lib/${d}`)].map((d) => `${d}/girepository-1.0`);
    for (const [typelib, pkg] of Object.entries(table.typelibs)) {
      const file = libDirs.map((d) => `${d}/${typelib}.typelib`).find((f) => existsSync(f));
      expect(file && owningPackage(file), typelib).toBe(pkg);
    }
    for (const [program, pkg] of Object.entries(table.programs)) {
      const which = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
      expect(which && owningPackage(which), program).toBe(pkg);
    }
  });

  it('is what the set-up installs, with every program it checks in the package that provides it', () => {
    const list = setupList();
    expect(list.debianPackages).toEqual(expect.arrayContaining([...GST_DEBIAN_PACKAGES]));
    for (const [program, [pkg]] of Object.entries(list.programs)) {
      const which = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
      expect(which && owningPackage(which), program).toBe(pkg);
      expect(list.debianPackages).toContain(pkg);
    }
  });

  it('is the table docs/gst.md shows, and the README names every package the set-up installs', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/gst.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|\s*`([a-z0-9.+-]+)`\s*\|/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(table.elements);
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(setupList().debianPackages.filter((pkg) => !readme.includes(`\`${pkg}\``))).toEqual([]);
  });
});

describe('a missing element is named with its package', () => {
  it('the hint names each element with its package and one apt-get line', () => {
    expect(missingElementsHint(['timeoverlay', 'clockoverlay', 'vp8enc'])).toBe(
      'timeoverlay (gstreamer1.0-x), clockoverlay (gstreamer1.0-x), vp8enc (gstreamer1.0-plugins-good); install with: apt-get install gstreamer1.0-x gstreamer1.0-plugins-good',
    );
    expect(missingElementsHint(['nosuchelement'])).toMatch(/^nosuchelement \(not in the table/);
  });

  it('requireElements throws ERR_GST_UNAVAILABLE naming the element and how to find its package', () => {
    try {
      requireElements(['videotestsrc', 'nosuchelement']);
      expect.unreachable();
    } catch (error) {
      expect(isAvbufError(error) && error.code).toBe('ERR_GST_UNAVAILABLE');
      expect((error as Error).message).toMatch(/element not found: nosuchelement \(not in the table/);
      expect((error as Error).message).not.toMatch(/videotestsrc/);
    }
  });
});
