export { buildServer, BODY_LIMIT, HTTP_TIMEOUTS } from './app.ts';
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.ts';
export { ensureBootstrapAdmin, hashApiKey, newApiKey } from './auth.ts';
export type { ServerConfig, ServerContext, Caller, FormLimits } from './context.ts';
export { hashPassword, oneTimePassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
export { createLogger, engineErrorContext, LOG_LEVELS, type Logger, type LogLevel } from './observability/logger.ts';
export { WaymarkMetrics } from './observability/metrics.ts';
