// Lint rules that protect the architecture: workflow code must stay deterministic and sandbox-safe.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { rules: { 'no-console': 'error' } },
  {
    // Printing to a terminal is the job of these: the CLI, npm-script entry points, dev scripts and tests.
    files: ['cli/**', 'scripts/**', 'test/**', 'simulators/main.ts', 'db/migrate.ts', 'db/create-migration.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Library files that print to stderr today (no logger to hand them to); to be decided, so listed one by one.
    files: [
      'config/env.ts', // exitOnConfigError: the entry points' one-line config error before exit(2)
      'worker/bundle-workflows.ts', // webpack errors in the bundling child process, read back from its stderr
      'simulators/common/state-file.ts', // a failed background save of simulator state
      'simulators/zoho-workdrive/workdrive.app.ts', // 5xx in the simulator (Fastify logger is off)
      'simulators/zoho-workdrive/wd-download.ts', // a blob missing from the simulator's state dir
    ],
    rules: { 'no-console': 'off' },
  },
  ...layerRules(),
);

/**
 * docs/architecture.md's import table, enforced: for each folder, the folders of ours it must not import. `typesOnly`
 * folders may be imported with `import type` (shapes, not behaviour).
 */
function layerRules() {
  const ours = [
    'activities',
    'api',
    'cli',
    'config',
    'connectors',
    'db',
    'domain',
    'services',
    'simulators',
    'storage',
    'worker',
    'workflows',
    'scripts',
  ];
  const group = (folder) => [`**/${folder}/**`, `**/${folder}`];
  // `patterns` adds restrictions of its own; `files` narrows a layer to single files (a later entry replaces the rule
  // for them, so it must repeat the folder's restrictions).
  const layer = (
    folder,
    { files = [`${folder}/**/*.ts`], forbid = [], typesOnly = [], paths = [], patterns = [] },
  ) => ({
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths,
          patterns: [
            ...forbid.map((f) => ({
              group: group(f),
              message: `${folder}/ must not import ${f}/ (docs/architecture.md).`,
            })),
            ...typesOnly.map((f) => ({
              group: group(f),
              allowTypeImports: true,
              message: `${folder}/ may import only types from ${f}/ (docs/architecture.md).`,
            })),
            ...patterns,
          ],
        },
      ],
    },
  });
  const except = (...allowed) => ours.filter((f) => !allowed.includes(f));
  // A folder allowed in one file only.
  const onlyIn = (folder, file, what = `${folder}/`) => ({
    group: group(folder),
    message: `${file.split('/')[0]}/ may import ${what} only in ${file} (docs/architecture.md).`,
  });
  // scripts/ for an entry point: supervision.ts and nothing else. A negated file needs `*`, not `**` (gitignore rules);
  // imports name files (ESM resolution has no folder imports), so `**/scripts` itself is not needed.
  const onlySupervision = (file) => ({
    group: ['**/scripts/*', '!**/scripts/supervision.js'],
    message: `${file} may import only scripts/supervision.ts from scripts/ (docs/architecture.md).`,
  });
  // What activities take from config/ today: ConfigError, the download cap and types (architecture.md: "errors only").
  const activitiesConfig = [
    ['env.js', ['ConfigError']],
    ['connections.js', ['DEFAULT_MAX_DOWNLOAD_BYTES']],
  ];
  const configForActivities = [
    {
      group: ['**/config/*', ...activitiesConfig.map(([file]) => `!**/config/${file}`)],
      allowTypeImports: true,
      message: `activities/ may import from config/ only types, besides ${activitiesConfig
        .map(([file, names]) => `${names.join(', ')} from ${file}`)
        .join(' and ')} (docs/architecture.md).`,
    },
    ...activitiesConfig.map(([file, names]) => ({
      group: [`**/config/${file}`],
      allowImportNames: names,
      allowTypeImports: true,
      message: `activities/ may import from config/${file} only types and ${names.join(', ')} (docs/architecture.md).`,
    })),
  ];
  const apiMay = ['api', 'services', 'db', 'domain', 'storage', 'config', 'scripts'];
  return [
    layer('workflows', {
      forbid: except('workflows', 'domain', 'activities'),
      typesOnly: ['activities'],
      paths: nodeBuiltins.map((name) => ({
        name,
        message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.',
      })),
    }),
    layer('activities', {
      forbid: ['api', 'services', 'cli', 'worker', 'simulators', 'scripts'],
      typesOnly: ['workflows'],
      patterns: configForActivities,
    }),
    layer('connectors', { forbid: except('connectors', 'domain') }),
    layer('db', { forbid: except('db', 'domain', 'config', 'connectors'), typesOnly: ['connectors'] }),
    layer('domain', { forbid: except('domain') }),
    layer('services', { forbid: except('services', 'db', 'domain', 'storage', 'workflows') }),
    layer('api', {
      forbid: except(...apiMay),
      patterns: [onlyIn('config', 'api/server.ts'), onlyIn('scripts', 'api/server.ts', 'scripts/supervision.ts')],
    }),
    layer('api', { files: ['api/server.ts'], forbid: except(...apiMay), patterns: [onlySupervision('api/server.ts')] }),
    layer('cli', { forbid: except('cli', 'services', 'db', 'domain', 'workflows', 'config') }),
    layer('worker', { forbid: ['api', 'services', 'cli', 'simulators'] }),
    layer('simulators', {
      forbid: except('simulators', 'scripts'),
      patterns: [onlyIn('scripts', 'simulators/main.ts', 'scripts/supervision.ts')],
    }),
    // The simulators' entry point reads .env like every other entry point.
    layer('simulators', {
      files: ['simulators/main.ts'],
      forbid: except('simulators', 'scripts', 'config'),
      patterns: [onlySupervision('simulators/main.ts')],
    }),
    layer('storage', { forbid: except('storage') }),
    layer('config', { forbid: except('config', 'domain') }),
  ];
}
