#!/usr/bin/env node
// Builds the inspector page: esbuild bundles src/inspect/page/main.ts (with msgpackr's
// decoder) into one minified script and copies the style and index.html beside it, so the
// page needs nothing from the network:
//
//   dist/inspect/page/index.html
//   dist/inspect/page/assets/page.js
//   dist/inspect/page/assets/page.css
//
// Run by `npm run build` after tsc. Usage: node scripts/build-page.mjs [--quiet]

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'src/inspect/page');
const OUT = path.join(ROOT, 'dist/inspect/page');

/** Builds the page into dist/inspect/page; returns the files written, relative to the root. */
export async function buildPage() {
  const assets = path.join(OUT, 'assets');
  await fs.mkdir(assets, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: path.join(SOURCE, 'main.ts'), out: 'page' },
      { in: path.join(SOURCE, 'page.css'), out: 'page' },
    ],
    outdir: assets,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The page is served from the inspector's own server; nothing may point elsewhere.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  await fs.copyFile(path.join(SOURCE, 'index.html'), path.join(OUT, 'index.html'));
  return [...Object.keys(result.metafile.outputs), path.relative(ROOT, path.join(OUT, 'index.html'))];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const files = await buildPage();
  if (!process.argv.includes('--quiet')) {
    const sizes = await Promise.all(files.map(async (file) => `${file} (${(await fs.stat(path.join(ROOT, file))).size} B)`));
    console.log(`inspector page built in ${Math.round(performance.now() - started)} ms: ${sizes.join(', ')}`);
  }
}
