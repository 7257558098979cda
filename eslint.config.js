// Lint: typescript-eslint (type-checked), no floating promises, type-only imports, no import
// cycles, and the workflow sandbox rule: workflow code imports nothing that does I/O.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importPlugin = require('eslint-plugin-import');

const WORKFLOW_BANNED = [
  {
    group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'http', 'https', 'net', 'os'],
    message: 'workflow code must be deterministic: no Node built-ins',
  },
  {
    group: ['pino', 'zod', 'pg', '@electric-sql/*', '@slack/*', '@aws-sdk/*', 'express'],
    message: 'workflow code does no I/O: call an activity',
  },
  {
    group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    message: 'workflows import only @temporalio/workflow',
  },
  {
    group: ['../integrations/*', '../activities/*', '../application/*', '../entrypoints/*', '../workers/*'],
    allowTypeImports: true,
    message: 'workflows may only import types from activities/integrations',
  },
];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.tools/**', 'coverage/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { import: importPlugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } }, 'import/ignore': ['node_modules'] },
  },
  { files: ['workflows/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: WORKFLOW_BANNED }] } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
);
