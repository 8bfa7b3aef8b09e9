import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { UsageError } from './errors.js';

/** pino-pretty (and its dependencies) only when a line is pretty-printed, on a terminal: off one (CI, a
 * container's log) every command would pay its load at start-up for nothing. It is CommonJS, so a
 * synchronous require keeps createLogger synchronous. */
const loadPretty = (): typeof PinoPretty => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, whatever object they sit in. */
const SECRET_KEYS = ['password', 'token', 'jwt', 'secret', 'authorization', 'Authorization'];

/** pino's redaction matches fixed paths, not "any depth": a wildcard per level, down to this depth, covers
 * every object we log (`{config: {auth: {password}}}` is depth 2; request headers depth 1 or 2). */
const REDACT_DEPTH = 5;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    let path = key;
    for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
      paths.push(path);
      path = `*.${path}`;
    }
  }
  return paths;
}

export interface LoggerOptions {
  /** pino level name. @default 'info' */
  level?: string;
  /** Human-readable lines instead of JSON. @default true when stderr is a TTY */
  pretty?: boolean;
  /** Where lines go. @default process.stderr (stdout is for command output) */
  destination?: NodeJS.WritableStream;
}

/**
 * The package's logger: JSON lines (or pretty ones on a TTY) on stderr, with passwords, tokens, JWTs and
 * Authorization headers replaced by `[redacted]` wherever they appear in a logged object.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new UsageError(`Unknown log level '${level}': use one of ${LEVELS.join(', ')}.`);
  }
  const isTty = ((options.destination ?? process.stderr) as { isTTY?: boolean }).isTTY === true;
  const usePretty = options.pretty ?? isTty;
  // fd 2, written synchronously, so that lines logged just before the process ends are not lost.
  const destination = options.destination ?? 2;
  const base = {
    level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
  };
  if (usePretty) {
    const stream = loadPretty()({
      destination,
      sync: true,
      colorize: isTty,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return pino(base, stream);
  }
  return pino(base, typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination);
}
