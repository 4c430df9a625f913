// Lint for firmware/, webui/ and test/ (issue 13): typed rules that catch what tsc does not —
// promises nobody awaits, values nobody uses, `!` where a check reads as clearly, `any`.
// Run by `make check` and `npm run lint`. Rules that fight /work/shared/STYLE.md are off, each
// with its reason.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'build/**', 'firmware/bin/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['firmware/**/*.ts', 'webui/**/*.ts', 'test/**/*.ts', 'image/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Template literals with numbers are how we build log lines and nft text; tsc already
      // keeps objects out of them where it matters (restrict-template-expressions only
      // complains about number/boolean, which print as expected).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Express 5 handlers and node:test-style callbacks may be async; the router awaits them.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // `async` methods without `await` keep an interface's Promise contract (Feature.start()).
      '@typescript-eslint/require-await': 'off',
      // A teardown registered before its child is spawned reads the variable before the one
      // assignment: that `let` cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The daemon and its page stay off ICU: the first Intl object, collator or locale-aware
    // method maps ~8 MB of ICU data into utmd for good (issue 14: idle utmd ≤ 80 MB). Dates:
    // webui/src/views/format.ts; zone offsets: firmware/src/time/zone.ts; names that must sort:
    // firmware/src/collections/order.ts.
    files: ['firmware/src/**/*.ts', 'webui/src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'Intl', message: 'ICU costs utmd ~8 MB for good: see eslint.config.js' }],
      'no-restricted-properties': ['error', ...['localeCompare', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']
        .map((property) => ({ property, message: 'ICU costs utmd ~8 MB for good: see eslint.config.js' }))],
    },
  },
  {
    // Tests: they poke parsed JSON and library internals deeply and feed hostile shapes to
    // parsers, so `any` and the no-unsafe-* rules are the test's own business; and `x!` on a
    // value the test just made fails that test at that line anyway (a check would only
    // repeat the assertion).
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
