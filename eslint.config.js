// Lint rules for medusa-ts. Type-aware rules catch floating promises and unsafe `any`, which in a
// backup tool turn into silently skipped uploads. The dependency-direction rules: faces (src/cli)
// → src/ops/api (the one place operations are wired) → operations → ports; nothing imports a face;
// the pure modules (layout, domain, plan) stay free of I/O so they stay table-testable.
import tseslint from 'typescript-eslint';

/** The port modules: outside systems (Cassandra, hosts, the bucket, metrics) and the catalog read from the bucket. */
const PORTS = ['cassandra', 'remote', 'storage', 'monitoring', 'catalog', 'transfer'];
/**
 * The faces: each turns its input into one call of src/ops/api and renders or encodes the result.
 * A new face (the gRPC agent's src/agent/) is added here, so it wires nothing a second time.
 */
const FACES = ['src/cli/**/*.ts', 'src/agent/**/*.ts'];
/** Imports of the CLI face, from anywhere else in src/. */
const NO_CLI = { regex: '^(\\.\\./)+cli/', message: 'Nothing outside src/cli imports from the CLI: operations return data, faces render it.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'bin/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's test()/describe() return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Faces (the CLI, the gRPC agent) sit on top: nothing else may depend on one.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_CLI] }],
    },
  },
  {
    // A face builds no port itself (locks, hash cache, metrics, storage, snapshot routes, SSH,
    // nodetool): src/ops/api builds them, once for every face.
    files: FACES,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          // Repeated here because this block replaces the one above: the agent never imports the CLI.
          NO_CLI,
          { regex: `^(\\.\\./)+(${PORTS.join('|')})/`,
            message: 'A face reaches the ports only through src/ops/api (the one place operations are wired).' },
          { regex: '^(\\.\\./)+ops/(?!api/)',
            message: 'A face calls the entry points of src/ops/api, not the operations behind them.' },
        ],
      }],
    },
  },
  {
    files: ['src/layout/**', 'src/domain/**', 'src/plan/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          NO_CLI,
          { group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:dgram', 'node:http', 'node:https', 'node:os'],
            message: 'layout, domain and plan are pure: no I/O.' },
          { regex: `^(\\.\\./)+(${[...PORTS, 'ops'].join('|')})/`,
            message: 'layout, domain and plan are pure: no imports from ports or operations.' },
          { regex: '^(\\.\\./)+util/(clock|logger)\\.js$',
            message: 'layout, domain and plan are pure: callers pass `now`; decisions are returned, not logged.' },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
