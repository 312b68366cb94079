// Lint, including the layer rules of DESIGN.md §3: dependencies point one way.
// core <- graph <- api ; core,graph <- runtime ; core <- connectors <- api (fromElements,
// print) ; runtime, api <- cluster ; testing and cli sit on top. A layer importing against
// these arrows fails lint, not review.
import tseslint from 'typescript-eslint';

/** Folders each layer must not import, by the path segment in the import specifier. */
const forbidden = {
  core: ['api', 'graph', 'runtime', 'connectors', 'cluster', 'cli', 'testing'],
  graph: ['api', 'runtime', 'connectors', 'cluster', 'cli', 'testing'],
  api: ['runtime', 'cluster', 'cli', 'testing'],
  runtime: ['api', 'connectors', 'cluster', 'cli', 'testing'],
  connectors: ['api', 'graph', 'runtime', 'cluster', 'cli', 'testing'],
  cluster: ['cli', 'testing'],
  testing: ['cli'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/**`, `**/${b}/*.ts`, `../${b}`, `../../${b}`],
          message: `src/${layer} must not import src/${b} (layer rule, DESIGN.md §3).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.rivulet/**', 'bin/**', 'test/fixtures/jobs/syntax-error.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
