import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/main.ts'],
    rules: {
      // Only the CLI decides how a run ends; modules return or throw.
      'no-restricted-properties': ['error', { object: 'process', property: 'exit' }],
    },
  },
  {
    // The status page's plain browser script (no bundler): the browser globals it uses.
    files: ['src/http/page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['document', 'fetch', 'CSS', 'alert', 'setTimeout', 'clearTimeout', 'setInterval', 'EventSource'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
);
