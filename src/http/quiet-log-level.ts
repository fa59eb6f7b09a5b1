import type { LogLevel } from 'fastify';
import type { Config } from '../config.js';

const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * The log level for chatty routes (health checks, static files): at least "warn", but never
 * louder than the configured level, since a route's level overrides the global one.
 */
export function quietLogLevel(config: Config): LogLevel {
  const configured = ORDER.find((level) => level === config.logLevel) ?? 'info';
  return ORDER.indexOf(configured) > ORDER.indexOf('warn') ? configured : 'warn';
}
