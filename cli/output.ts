/** Progress on a terminal; plain lines when piped, so logs and CI output stay readable. */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private frame = 0;

  update(label: string, done: number, total: number): void {
    if (!this.tty) return;
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    const spin = '|/-\\'[this.frame++ % 4];
    process.stderr.write(
      `\r${spin} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(80),
    );
  }

  end(): void {
    if (this.tty) process.stderr.write('\r'.padEnd(81) + '\r');
  }
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** "retrying leadPushBatch (attempt 37 of 15): …" for each activity Temporal is retrying; empty when none is. */
export function retryLines(view: {
  pendingActivities: Array<{
    activityType: string;
    attempt: number;
    maximumAttempts: number;
    lastFailure: string | null;
    nextAttemptAt: string | null;
  }>;
}): string[] {
  return view.pendingActivities
    .filter((a) => a.attempt > 1 || a.lastFailure)
    .map((a) => {
      const of = a.maximumAttempts > 0 ? ` of ${a.maximumAttempts}` : '';
      const next = a.nextAttemptAt ? `, next try ${a.nextAttemptAt}` : '';
      return `retrying ${a.activityType} (attempt ${a.attempt}${of}${next}): ${a.lastFailure ?? 'no failure recorded yet'}`;
    });
}
