import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import { pino, type Logger } from 'pino';

/**
 * Field names that may carry a credential anywhere in a log line's metadata. Connectors never put tokens in
 * errors, but a line is cheap to censor and a leaked secret is not.
 */
const SECRET_PATHS = ['authorization', 'accessToken', 'refreshToken', 'clientSecret', 'token', 'apiKey'].flatMap(
  (k) => [k, `*.${k}`, `*.*.${k}`],
);

/** The worker's logger: JSON lines by default (for a log pipeline), a short human line per record in a terminal. */
export function createWorkerLogger(
  level: string,
  opts: { pretty?: boolean; write?: (line: string) => void } = {},
): Logger {
  const options = { level, base: { process: 'worker' }, redact: { paths: SECRET_PATHS, censor: '[redacted]' } };
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  return pino(options, { write: (line: string) => write(pretty ? prettyLine(line) : line) });
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function prettyLine(json: string): string {
  const {
    level,
    time,
    msg,
    pid: _pid,
    hostname: _host,
    process: _process,
    ...rest
  } = JSON.parse(json) as Record<string, unknown>;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${new Date(Number(time)).toISOString().slice(11, 23)} ${LEVELS[Number(level)] ?? level} ${String(msg)}${fields ? `  ${fields}` : ''}\n`;
}

/**
 * The Temporal runtime's logger, writing through pino: SDK lines and activity lines (`log` from
 * `@temporalio/activity`, which carries workflowId, workflowRunId and activityType) land in the same stream.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method =
      level === 'TRACE'
        ? 'trace'
        : level === 'DEBUG'
          ? 'debug'
          : level === 'INFO'
            ? 'info'
            : level === 'WARN'
              ? 'warn'
              : 'error';
    this.logger[method](toPlain(meta), message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Temporal's metadata may hold symbol keys and Error objects; pino wants plain fields. */
function toPlain(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
  return out;
}
