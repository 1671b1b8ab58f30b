import { findOrBuildTemporal } from './temporal-server.js';

/** `npm run temporal:ensure`: finds or builds the Temporal CLI and prints its path (CI runs this before the tests). */
try {
  console.log(findOrBuildTemporal((m) => console.log(m)));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
