import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';

// Quiet Temporal's core and worker logs in test output; failures still surface through assertions.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
});
