import { bool, EnvOf, int, num, oneOf, text, url } from './env-schema';

/** OpenTelemetry tracing, from the standard OTEL_* variables (off unless an exporter or endpoint is named). */
export interface TracingConfig {
  /** True when spans are recorded and exported; false means a no-op tracer and no context manager at all. */
  enabled: boolean;
  /** OTEL_TRACES_EXPORTER: `otlp` (OTLP/HTTP JSON), `console` (stdout, for debugging) or `none`. */
  exporter: 'otlp' | 'console' | 'none';
  /** OTEL_SERVICE_NAME; each app's own name when unset. */
  serviceName?: string;
  /** OTEL_TRACES_SAMPLER_ARG for the parent-based ratio sampler (1 = every trace). */
  sampleRatio: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how often batched spans are exported, in ms. */
  exportDelayMs: number;
  /** OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: record prompts and model outputs on model-call spans. */
  captureContent: boolean;
}

const HTTP = ['http:', 'https:'];
const PROTOCOL = { expected: 'http/json, the protocol this build exports with', pattern: '^http/json$' };

/**
 * The exporter itself reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS / _TIMEOUT / _COMPRESSION; the endpoints
 * and protocols are checked here so a typo stops start-up instead of silently losing every trace.
 */
export const TRACING_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: url("The collector's OTLP/HTTP endpoint; setting it turns tracing on.", HTTP),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url('The full OTLP/HTTP traces URL; setting it turns tracing on.', HTTP),
  OTEL_EXPORTER_OTLP_PROTOCOL: text('Only http/json, the protocol this build exports with.', PROTOCOL),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: text('Only http/json, the protocol this build exports with.', PROTOCOL),
  OTEL_TRACES_EXPORTER: oneOf(
    '`otlp`, `console` (spans on stdout) or `none`; default otlp with an endpoint, else none.',
    ['otlp', 'console', 'none'],
  ),
  OTEL_SDK_DISABLED: bool('`true` turns tracing off whatever else is set.', false),
  OTEL_SERVICE_NAME: text("The service name on spans; each app's own name when unset."),
  OTEL_TRACES_SAMPLER_ARG: num('Ratio of the parent-based sampler (1 = every trace).', {
    minimum: 0,
    maximum: 1,
    default: 1,
  }),
  OTEL_BSP_SCHEDULE_DELAY: int('How often batched spans are exported, in ms.', {
    minimum: 10,
    maximum: 600_000,
    default: 1000,
  }),
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: bool(
    'Record prompts and model outputs on model-call spans.',
    false,
  ),
} as const;

export function tracingConfig(env: EnvOf<typeof TRACING_ENV>): TracingConfig {
  const endpointSet =
    env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const exporter = env.OTEL_TRACES_EXPORTER ?? (endpointSet ? 'otlp' : 'none');
  return {
    enabled: !env.OTEL_SDK_DISABLED && exporter !== 'none',
    exporter,
    serviceName: env.OTEL_SERVICE_NAME,
    sampleRatio: env.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    captureContent: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
  };
}
