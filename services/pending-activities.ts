import type { WorkflowExecutionDescription } from '@temporalio/client';

/** An activity Temporal is still trying: its attempt count and last failure tell "retrying" apart from "progressing". */
export interface PendingActivityView {
  activityType: string;
  state: 'scheduled' | 'started' | 'cancel-requested' | 'paused' | 'pause-requested' | 'unknown';
  attempt: number;
  /** 0 = unlimited. */
  maximumAttempts: number;
  lastFailure: string | null;
  lastFailureType: string | null;
  lastStartedAt: string | null;
  lastHeartbeatAt: string | null;
  nextAttemptAt: string | null;
}

type Timestamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;

const STATES: Record<number, PendingActivityView['state']> = {
  1: 'scheduled',
  2: 'started',
  3: 'cancel-requested',
  4: 'paused',
  5: 'pause-requested',
};

function iso(ts: Timestamp): string | null {
  if (!ts || ts.seconds === null || ts.seconds === undefined) return null;
  return new Date(Number(ts.seconds.toString()) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** Temporal's pending activities of a run, from its describe answer. */
export function pendingActivitiesOf(desc: WorkflowExecutionDescription): PendingActivityView[] {
  return (desc.raw.pendingActivities ?? []).map((a) => {
    const failure = a.lastFailure;
    const cause = failure?.applicationFailureInfo?.type ?? null;
    return {
      activityType: a.activityType?.name ?? 'unknown',
      state: STATES[a.state ?? 0] ?? 'unknown',
      attempt: a.attempt ?? 1,
      maximumAttempts: a.maximumAttempts ?? 0,
      lastFailure: failure?.message ?? null,
      lastFailureType: cause,
      lastStartedAt: iso(a.lastStartedTime),
      lastHeartbeatAt: iso(a.lastHeartbeatTime),
      nextAttemptAt: iso(a.nextAttemptScheduleTime),
    };
  });
}
