import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The designer is linted on its own (the root config covers the Node packages): browser code,
// TSX, and the rules of hooks. Like the rest, it reaches other packages only through their entry.
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: ['@waymark/engine', '@waymark/server', '@waymark/cli'].map((name) => ({ name, message: 'The designer talks to the server over HTTP only; it may import @waymark/core.' })),
          patterns: [{ group: ['@waymark/*/src/*', '../../*/src/*'], message: 'Import another package through its public entry.' }],
        },
      ],
    },
  },
  { files: ['eslint.config.js', 'vite.config.ts'], ...tseslint.configs.disableTypeChecked },
);
