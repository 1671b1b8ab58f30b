import { defineSignal } from '@temporalio/workflow';

/** Sent with every new SI request for a deal (signal-with-start): a run in progress for that deal takes it next. */
export const siRequestWaitingSignal = defineSignal<[]>('siRequestWaiting');
