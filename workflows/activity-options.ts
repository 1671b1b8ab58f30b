import type { ActivityOptions } from '@temporalio/workflow';

// Which failures are retried is decided once, in activities/failures.ts (`dispositionOf`): failures another
// attempt cannot fix arrive marked non-retryable, so these policies set only timing and attempts.

/** CRM work comes in small, checkpointed units, so retries are cheap: retry soon, and cap the wait at 30 s. */
const CRM_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 1.5,
  maximumInterval: '30 seconds',
  maximumAttempts: 15,
};
/** Every CRM activity heartbeats (a checkpoint or a keep-alive): a dead worker is noticed within 20 s. */
const CRM_HEARTBEAT = '20 seconds';

/** Named retry/timeout presets: the only place retry behaviour is decided. */
export const activityPresets = {
  /** Our own DB: short calls, retried patiently through a restart of Postgres. */
  store: {
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 20,
    },
  },
  /** One CRM call or a page of them. Rate limits arrive with their own `nextRetryDelay`. */
  crmCall: {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: CRM_HEARTBEAT,
    retry: CRM_RETRY,
  },
  /** Content downloads: long, so they heartbeat; a retry resumes with the files not stored yet. */
  download: {
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: CRM_HEARTBEAT,
    retry: CRM_RETRY,
  },
  /** A connection check answers quickly or not at all; it must not wait for hours on a dead CRM or an unpolled queue. */
  crmProbe: {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '3 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 4 },
  },
} satisfies Record<string, ActivityOptions>;
