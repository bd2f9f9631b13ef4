// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // web/ (the console) is type-checked by its own tsconfig (npm run typecheck) and tested by Vitest.
  { ignores: ['dist/', 'coverage/', 'node_modules/', '**/*.js', '**/*.mjs', 'web/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Imports go through the @app/@test aliases; a relative parent import hides layering.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*', '**/../*'], message: 'Use the @app/* or @test/* alias.' }] },
      ],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // domain/ is pure: no framework, ORM or HTTP types.
    files: ['src/modules/*/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*'], message: 'Use the @app/* alias.' },
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'pg',
                'fastify',
                '@fastify/*',
                '@app/modules/*/http/*',
                '@app/modules/http/*',
              ],
              message: 'domain/ imports nothing from Nest, TypeORM or HTTP.',
            },
          ],
        },
      ],
    },
  },
  {
    // The HTTP layer knows the services and the domain, never the persistence layer.
    files: ['src/modules/*/http/**/*.ts', 'src/modules/http/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*'], message: 'Use the @app/* alias.' },
            {
              group: ['@app/modules/*/persistence/**', 'typeorm', 'pg'],
              message: 'http/ imports services and domain types, not the persistence layer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
