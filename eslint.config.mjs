// One lint configuration for the whole monorepo (flat config, typescript-eslint).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // TypeORM types entity and migration classes as `Function`; code passing them along has to as well.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    // Connectors are written as a third party writes them: against the SDK entry only (docs/public-api.md).
    files: ['plugins/connector-*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@syncbus/(?!integration/sdk(/testing)?$)',
              message: 'A connector imports @syncbus/integration/sdk (and its /testing entry in tests) only.',
            },
          ],
        },
      ],
    },
  },
);
