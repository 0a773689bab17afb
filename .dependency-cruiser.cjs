// The layers of src/, written once: each folder and the folders it may import. `npm run check`
// runs dependency-cruiser with this file (`npm run check:layers`) and fails on an import that
// runs up the layers, on any import cycle, and on an import of the command line from the
// library. docs/architecture.md draws the same table; test/architecture.test.ts keeps the two
// equal.

/** Folder under src/ → the folders under src/ it may import (its own always allowed). */
const LAYERS = {
  core: [],
  formats: ['core'],
  machines: ['core'],
  streams: ['core'],
  testing: ['core', 'streams'],
  workers: ['core', 'formats'],
  buffers: ['core', 'formats', 'workers'],
  jetstream: ['core', 'formats', 'workers', 'buffers'],
  edges: ['core', 'formats', 'streams', 'workers', 'buffers', 'jetstream'],
  actors: ['core', 'formats', 'machines', 'streams', 'workers', 'buffers', 'jetstream'],
  gst: ['core', 'formats', 'machines', 'streams', 'workers', 'buffers', 'jetstream'],
  jobs: ['core', 'formats', 'machines', 'streams', 'workers', 'buffers', 'jetstream', 'edges', 'actors'],
  inspect: ['core', 'formats', 'machines', 'streams', 'workers', 'buffers', 'jetstream', 'edges', 'actors', 'gst', 'jobs'],
  cli: ['core', 'formats', 'machines', 'streams', 'workers', 'buffers', 'jetstream', 'edges', 'actors', 'gst', 'jobs', 'inspect'],
};

/** src/index.ts and the subpath index files are the public API: everything but the command line. */
const TOP_LEVEL_MAY_IMPORT = Object.keys(LAYERS).filter((layer) => layer !== 'cli');

const ALL = Object.keys(LAYERS);

const layerRules = ALL.map((layer) => {
  const forbidden = ALL.filter((other) => other !== layer && !LAYERS[layer].includes(other));
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${LAYERS[layer].length ? LAYERS[layer].join(', ') : 'itself'} (see docs/architecture.md)`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: forbidden.length ? { path: `^src/(${forbidden.join('|')})/` } : { path: '^$' },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
const config = {
  forbidden: [
    ...layerRules,
    {
      name: 'top-level-not-cli',
      comment: 'src/index.ts (the library entry point) never imports the command line',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle anywhere in src/ (type-only imports included)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'every relative import resolves to a file (a package is resolved by Node and tsc; @nats-io/jetstream names a types file it does not ship)',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

module.exports = config;
// The table itself, for test/architecture.test.ts (not enumerable: not part of the config's schema).
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
Object.defineProperty(module.exports, 'TOP_LEVEL_MAY_IMPORT', { value: TOP_LEVEL_MAY_IMPORT, enumerable: false });
