// ESLint flat config: type-aware typescript-eslint rules for the TypeScript sources (src, test,
// bench, examples) and plain-JS rules for the scripts and config files.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Node globals for the plain-JS files (the ES ones come with ecmaVersion "latest"). */
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'scratch/', 'bench/out/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // TypeScript: type-aware rules, with type information from tsconfig.json.
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Numbers (and booleans) in template literals are how this code writes error messages.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      // Off: the `!` non-null assertion is used deliberately on typed-array and tuple indexing,
      // which noUncheckedIndexedAccess types as `T | undefined` even inside checked bounds.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Off: the public API re-validates what its types already promise (JS callers ignore
      // types), and XState action callbacks re-narrow `event.type`; both are deliberate.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Off: the error subclasses' constructors exist to narrow the `code` parameter's type,
      // which this rule does not see.
      '@typescript-eslint/no-useless-constructor': 'off',
      // Off: pure style; it flags `() => buffer.write(x)` and `return expectCode(...)`, the
      // idioms of the tests and of small callbacks.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'all',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Tests: vitest types its asymmetric matchers (`expect.objectContaining(...)`, `expect.any(...)`)
  // as returning `any`, so every `{ a: expect.objectContaining(...) }` would be flagged.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },

  // Plain JS (scripts/*.mjs, this file): no type information, Node globals.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: nodeGlobals,
    },
    rules: {
      'no-unused-vars': [
        'error',
        {
          args: 'all',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // CommonJS config files (.dependency-cruiser.cjs).
  {
    files: ['**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'commonjs',
      globals: { ...nodeGlobals, module: 'writable', require: 'readonly' },
    },
  },
);
