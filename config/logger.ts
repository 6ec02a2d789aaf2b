import winston from 'winston';
import { config } from './env.js';
import { currentLogContext } from './log-context.js';
import { redact, scrubString } from './redact.js';

const SYMBOLS = [Symbol.for('level'), Symbol.for('message'), Symbol.for('splat')];

/** Attaches the running request/job ids and strips anything personal from the line. */
const contextAndRedaction = winston.format((info) => {
  const context = currentLogContext();
  const cleaned = redact({ ...context, ...info }) as Record<string | symbol, unknown>;
  cleaned.message = typeof info.message === 'string' ? scrubString(info.message) : cleaned.message;
  for (const symbol of SYMBOLS) cleaned[symbol] = (info as Record<symbol, unknown>)[symbol];
  return cleaned as winston.Logform.TransformableInfo;
});

export function createLogger(options: {
  level: string;
  format: 'json' | 'pretty';
  silent?: boolean;
  transports?: winston.transport[];
}) {
  const pretty = winston.format.printf(({ level, message, timestamp, ...rest }) => {
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(timestamp)} ${level} ${String(message)}${extra}`;
  });
  return winston.createLogger({
    level: options.level,
    silent: options.silent,
    defaultMeta: { service: 'patron' },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      contextAndRedaction(),
      winston.format.timestamp(),
      options.format === 'json' ? winston.format.json() : winston.format.combine(winston.format.colorize(), pretty),
    ),
    transports: options.transports ?? [new winston.transports.Console({ stderrLevels: ['error'] })],
  });
}

export const logger = createLogger({
  level: config.log.level,
  format: config.log.format,
  silent: config.env === 'test' && config.log.level !== 'debug',
});
export type Logger = winston.Logger;
