// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'resources/**', 'test-artifacts/**', 'coverage/**', 'scratch/**', 'reports/**', 'dist-renderer/**', 'workspace/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Layers: adapters (cli/, server/, electron/) call services/ only; nothing outside library/ reaches
  // behind its door (library/index.ts). See the README's "Layers".
  {
    files: ['src-main/cli/**/*.ts', 'src-main/server/**/*.ts', 'src-main/electron/**/*.ts', 'src-main/electron/**/*.cts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/engine/**', '**/library/**', '**/enumerate/**', '**/screen/**'], message: 'adapters call services/ (the application layer), never the domain modules directly' }],
      }],
    },
  },
  {
    files: ['src-main/**/*.ts', 'bench/**/*.ts', 'shared/**/*.ts', 'src-renderer/**/*.ts'],
    ignores: ['src-main/library/**', 'src-main/cli/**', 'src-main/server/**', 'src-main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/library/*', '!**/library/index.js'], message: 'the library is behind a door: import from library/index.js' }],
      }],
    },
  },
  {
    files: ['scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
