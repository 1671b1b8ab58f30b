import { defineSignal } from '@temporalio/workflow';

/** Sent with every new CRM-update request (signal-with-start): a run in progress takes it before it ends. */
export const crmUpdateWaitingSignal = defineSignal<[]>('crmUpdateWaiting');
