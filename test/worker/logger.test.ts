import { describe, expect, it } from 'vitest';
import { createWorkerLogger, PinoTemporalLogger } from '../../worker/logger.js';

function capture(pretty = false) {
  const lines: string[] = [];
  return { lines, logger: createWorkerLogger('info', { pretty, write: (l) => lines.push(l) }) };
}

describe('worker logger', () => {
  it('writes Temporal SDK and activity lines as JSON with their metadata (workflow id, run id, activity type)', () => {
    const { lines, logger } = capture();
    new PinoTemporalLogger(logger).warn('item refused', {
      workflowId: 'lead-push:zoho',
      workflowRunId: 'r1',
      activityType: 'leadPushBatch',
      leadId: 7,
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 40,
      msg: 'item refused',
      workflowId: 'lead-push:zoho',
      workflowRunId: 'r1',
      activityType: 'leadPushBatch',
      leadId: 7,
      process: 'worker',
    });
  });

  it('censors fields that may carry credentials, at any depth', () => {
    const { lines, logger } = capture();
    new PinoTemporalLogger(logger).error('call failed', {
      authorization: 'Bearer secret-1',
      request: { accessToken: 'secret-2' },
      error: new Error('HTTP 401'),
    });
    expect(lines[0]).not.toMatch(/secret-/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      authorization: '[redacted]',
      request: { accessToken: '[redacted]' },
      error: { message: 'HTTP 401' },
    });
  });

  it('drops lines below its level and prints one short line per record in a terminal', () => {
    const { lines, logger } = capture(true);
    const temporal = new PinoTemporalLogger(logger);
    temporal.debug('noise');
    temporal.info('ready on 127.0.0.1:7233', { queues: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO ready on 127\.0\.0\.1:7233 {2}queues=2\n$/);
  });
});
