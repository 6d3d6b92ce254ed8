// The layer rule of DESIGN.md and docs/architecture.md: a folder of src/ imports only folders below it
// (and itself); the CPU and GPU implementations of the prover's steps never import each other; no
// cycles. `npm run deps` checks it; test/run.sh runs it, so an upward import fails CI.
const LAYERS = [
  ['wasm', 'json', 'bytes', 'package-info.ts'],
  ['field'],
  ['ntt'],
  ['hash'],
  ['merkle'],
  // The protocol and verifier need no GPU or backend: verifying loads neither.
  ['stark'],
  ['gpu'],
  ['backend'],
  ['prover'],
  ['airs'],
  ['capsule'],
  ['capsulebench'],
  ['server'],
  ['cli'],
  ['index.ts'],
];
const path = (names) => `^src/(${names.map((n) => n.replace('.', '\\.')).join('|')})($|/)`;

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer, i) => ({
      name: `layer-${layer.join('-').replace('.ts', '')}`,
      comment: `${layer.join(', ')} may import only the layers below it: ${LAYERS.slice(0, i).flat().join(', ') || 'none'}`,
      severity: 'error',
      from: { path: path(layer) },
      to: { path: path(LAYERS.slice(i + 1).flat()) },
    })),
    {
      name: 'prover-cpu-not-gpu',
      comment: 'the CPU steps do not depend on the GPU steps',
      severity: 'error',
      from: { path: '^src/prover/cpu/' },
      to: { path: '^src/(prover/gpu|gpu)/' },
    },
    {
      name: 'prover-gpu-not-cpu',
      comment: 'the GPU steps do not depend on the CPU steps',
      severity: 'error',
      from: { path: '^src/prover/gpu/' },
      to: { path: '^src/prover/cpu/' },
    },
    {
      name: 'no-dishonest-prover',
      comment: 'the dishonest prover is for soundness tests only',
      severity: 'error',
      from: { pathNot: '^src/prover/testing\\.ts$' },
      to: { path: '^src/prover/testing\\.ts$' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    exclude: { path: '^src/wasm/assembly/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
