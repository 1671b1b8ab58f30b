import { defineConfig } from 'vitest/config';

/**
 * The pure rules alone (domain/, error classification, the rate governor on its manual clock): no Temporal, no
 * Postgres, no global setup (`npm run test:unit`, a few seconds). `npm test` runs these files too, with the rest.
 */
export default defineConfig({
  test: {
    include: [
      'test/domain/**/*.test.ts',
      'test/services/export-format.test.ts',
      'test/activities/failures.test.ts',
      'test/connectors/rate-governor.test.ts',
    ],
  },
});
