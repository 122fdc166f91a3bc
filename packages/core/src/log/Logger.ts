import { pino } from 'pino';

import { token } from '../di/token.js';

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Tugboat's logger: structured, levelled, and scoped with {@link Logger.child}. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Inversify token for the {@link Logger}. */
export const Logger = token<Logger>('core/Logger');

/** Log levels, least to most severe; `silent` turns logging off. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A {@link Logger} on pino writing JSON lines to stderr. */
export function createLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  const base = pino(
    {
      level: options.level ?? (process.env['TUG_LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
      name: options.name ?? 'tugboat',
    },
    pino.destination(2),
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => {
      p.debug(fields ?? {}, msg);
    },
    info: (msg, fields) => {
      p.info(fields ?? {}, msg);
    },
    warn: (msg, fields) => {
      p.warn(fields ?? {}, msg);
    },
    error: (msg, fields) => {
      p.error(fields ?? {}, msg);
    },
    child: (fields) => wrap(p.child(fields)),
  };
}

/** A {@link Logger} that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
