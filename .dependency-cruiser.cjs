// The layers of lib/, top to bottom: a module may import its own layer and the layers below it, never one above.
// `npm run lint` checks this and that the import graph has no cycle (type-only imports count: they couple too).
const LAYERS = [
  ['testing', '^lib/testing/'],
  ['cli', '^lib/cli/'],
  ['terminal', '^lib/terminal/'],
  ['app', '^lib/app/'],
  // The Huawei Cloud target: Terraform JSON and FunctionGraph workflow bodies rendered from the facts the
  // constructs record in the cloud assembly (it imports no construct), and the validator of that output.
  ['huawei', '^lib/huawei/'],
  ['local', '^lib/local/'],
  ['metering', '^lib/metering/'],
  ['workflow', '^lib/workflow/'],
  ['triggers', '^lib/triggers/(?!events/)'],
  ['function', '^lib/function/'],
  ['handlers', '^lib/handlers/'],
  ['billing and trigger events', '^lib/(billing|triggers/events)/'],
  ['ground', '^lib/(?!index[.]ts$)[^/]+[.]ts$'],
];

const upward = LAYERS.slice(1).map(([name, path], i) => ({
  name: `no-import-up-from-${name.replace(/ /g, '-')}`,
  severity: 'error',
  comment: `${name} is below ${LAYERS.slice(0, i + 1)
    .map(([above]) => above)
    .join(', ')}: it must not import them`,
  from: { path },
  to: {
    path: LAYERS.slice(0, i + 1)
      .map(([, above]) => `(${above})`)
      .join('|'),
    pathNot: '^lib/index[.]ts$',
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'the import graph has no cycle',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'public-entry-on-top',
      severity: 'error',
      comment: 'lib/index.ts is the public API: nothing in lib imports it',
      from: { path: '^lib/' },
      to: { path: '^lib/index[.]ts$' },
    },
    {
      name: 'cli-only-from-bin',
      severity: 'error',
      comment: 'the CLI is an adapter: only its own modules and bin/stagegraph.ts import it',
      from: { pathNot: '^(lib/cli/|bin/stagegraph[.]ts$|test/)' },
      to: { path: '^lib/cli/' },
    },
    {
      name: 'handlers-bundle-runtime-code-only',
      severity: 'error',
      comment:
        'a handler is bundled into a Lambda function: it imports pure billing, trigger events and ground modules only',
      from: { path: '^lib/handlers/' },
      to: { path: '^lib/', pathNot: '^lib/(handlers/|billing/|triggers/events/|errors[.]ts$|usage[.]ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
