/** `npm run bench [-- connectors|file-sync|lead-pull|deal-to-project|workdrive-transfer|crm-extract]`: prints figures for each scenario (all by default). Targets live here, not in tests. */
const scenarios: Record<string, string> = {
  connectors: './bench/connectors.ts',
  'file-sync': './bench/file-sync.ts',
  'lead-pull': './bench/lead-pull.ts',
  'deal-to-project': './bench/deal-to-project.ts',
  'workdrive-transfer': './bench/workdrive-transfer.ts',
  'crm-extract': './bench/crm-extract.ts',
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !scenarios[w]);
if (unknown.length) {
  console.error(`unknown scenario: ${unknown.join(', ')} (choose from ${Object.keys(scenarios).join(', ')})`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(scenarios)) {
  console.log(`\n== bench: ${name}`);
  await import(scenarios[name]!);
}
