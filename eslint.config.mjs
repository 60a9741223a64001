// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Packages loaded where they are first used, not at `import 'stagegraph'` (see the rule below).
const LOADED_ON_FIRST_USE = ['esbuild', 'croner', '@dagrejs/dagre', '@aws-cdk/toolkit-lib', '@smithy/signature-v4'].map(
  name => ({
    name,
    allowTypeImports: true,
    message:
      'Load it where it is first used (require, with a type import), not at `import stagegraph` or the start of the CLI.',
  }),
);

// The AWS SDK's clients: values through lib/aws-sdk.ts, types from the packages.
const SDK_CLIENTS = [
  {
    group: ['@aws-sdk/client-*'],
    allowTypeImports: true,
    message: "Import the client's types here and its values through lib/aws-sdk.ts (loaded on first use).",
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.api/',
      '**/cdk.out/',
      '**/.stagegraph/',
      'localstack/build/',
      'test/fixtures/**/target/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      // Prettier wraps code at 120 columns; this holds comments to it too (long strings and URLs may pass).
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    // One error hierarchy: the library throws StagegraphError kinds (lib/errors.ts), whose messages the CLI prints
    // alone; only the bundled Lambda handlers, which run outside the library, throw plain errors.
    files: ['lib/**/*.ts'],
    ignores: ['lib/handlers/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Error']",
          message:
            'Throw a StagegraphError kind (lib/errors.ts): StageValidationError, StageInputError, StageBuildError, LocalCloudError or UsageError.',
        },
      ],
    },
  },
  {
    // `import 'stagegraph'` loads what every app needs; a package only some apps or commands use (the bundler, the
    // cron parser, the graph layout: 7-9 ms each to load; the CDK toolkit library, about half a second, which only
    // synth, deploy and bootstrap use) is loaded where it is first used, with `require` and a type import. The Lambda
    // code's block below sets the same paths (the rule's options are one per file).
    // The AWS SDK's clients too (lib/aws-sdk.ts loads each where a command first calls its service); the testing
    // kit, which runs in the user's test process with its clients, imports them as usual.
    files: ['lib/**/*.ts'],
    ignores: ['lib/handlers/**', 'lib/billing/**', 'lib/triggers/events/**', 'lib/usage.ts', 'lib/cli/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: LOADED_ON_FIRST_USE, patterns: SDK_CLIENTS }],
    },
  },
  {
    files: ['lib/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: LOADED_ON_FIRST_USE }] },
  },
  {
    // Stagegraph's own Lambda functions (lib/handlers) and the runtime-safe code they bundle (pure billing, the
    // events each trigger decodes) run inside Lambda: no CDK there, or the bundles would carry it.
    files: ['lib/handlers/**/*.ts', 'lib/billing/**/*.ts', 'lib/triggers/events/**/*.ts', 'lib/usage.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: LOADED_ON_FIRST_USE,
          patterns: [
            {
              group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
              allowTypeImports: true,
              message:
                'Runtime code is bundled into Lambda functions: import only types from aws-cdk-lib and constructs here.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI and its entry points talk to the user on the terminal.
    files: ['bin/**/*.ts', 'lib/cli/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: LOADED_ON_FIRST_USE }] },
  },
  {
    // What the CLI loads before it knows the command: the same packages wait for the command that uses them.
    files: ['bin/stagegraph.ts', 'lib/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: LOADED_ON_FIRST_USE, patterns: SDK_CLIENTS }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
