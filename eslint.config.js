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
  const layer = (folder, { forbid = [], typesOnly = [], paths = [] }) => ({
    files: [`${folder}/**/*.ts`],
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
          ],
        },
      ],
    },
  });
  const except = (...allowed) => ours.filter((f) => !allowed.includes(f));
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
    }),
    layer('connectors', { forbid: except('connectors', 'domain') }),
    layer('db', { forbid: except('db', 'domain', 'config', 'connectors'), typesOnly: ['connectors'] }),
    layer('domain', { forbid: except('domain') }),
    layer('services', { forbid: except('services', 'db', 'domain', 'storage', 'workflows') }),
    layer('api', { forbid: except('api', 'services', 'db', 'domain', 'storage', 'config', 'scripts') }),
    layer('cli', { forbid: except('cli', 'services', 'db', 'domain', 'workflows', 'config') }),
    layer('worker', { forbid: ['api', 'services', 'cli', 'simulators'] }),
    layer('simulators', { forbid: except('simulators', 'scripts') }),
    // The simulators' entry point reads .env like every other entry point.
    { ...layer('simulators', { forbid: except('simulators', 'scripts', 'config') }), files: ['simulators/main.ts'] },
    layer('storage', { forbid: except('storage') }),
    layer('config', { forbid: except('config', 'domain') }),
  ];
}
