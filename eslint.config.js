import tseslint from 'typescript-eslint';

// Layers point down only: cli -> server -> engine -> core. A package imports another only
// through its public entry ('@waymark/x'), never through its src/ internals.
const layers = {
  core: ['@waymark/engine', '@waymark/server', '@waymark/cli'],
  engine: ['@waymark/server', '@waymark/cli'],
  server: ['@waymark/cli'],
  cli: [],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.waymark/**', 'packages/web/**', 'scratch/**', 'packages/cli/bin/**', '.pack/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-imports': ['error', { patterns: [{ group: ['@waymark/*/src/*', '**/packages/*/src/*'], message: 'Import another package through its public entry.' }] }],
    },
  },
  ...Object.entries(layers).map(([layer, forbidden]) => ({
    files: [`packages/${layer}/src/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: forbidden.map((name) => ({ name, message: `${layer} sits below ${name}: dependencies point down only.` })),
        patterns: [{ group: ['@waymark/*/src/*', '../../*/src/*'], message: 'Import another package through its public entry.' }],
      }],
    },
  })),
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['@waymark/engine', '@waymark/server', '@waymark/cli', 'pg', '@electric-sql/pglite', 'nodemailer', 'fastify'].map((name) => ({ name, message: 'core is pure: no IO.' })),
        patterns: [{ group: ['node:fs*', 'node:net', 'node:http*'], message: 'core is pure: no IO.' }],
      }],
    },
  },
);
