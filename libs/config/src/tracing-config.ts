import { EnvReader } from './env-reader';

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

const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
const BOOLEAN = ['true', 'false'] as const;

/**
 * The exporter itself reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS / _TIMEOUT / _COMPRESSION; they are
 * checked here so a typo stops start-up instead of silently losing every trace.
 */
export function tracingConfig(env: EnvReader): TracingConfig {
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    if (env.raw(name) !== undefined) env.url(name, 'http://invalid', ['http:', 'https:']);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) {
    const protocol = env.raw(name);
    if (protocol !== undefined && protocol !== 'http/json')
      env.fail(`${name} must be http/json, the protocol this build exports with (got "${protocol}")`);
  }
  const endpointSet =
    env.raw('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || env.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
  const exporter = env.oneOf('OTEL_TRACES_EXPORTER', TRACE_EXPORTERS, endpointSet ? 'otlp' : 'none');
  const disabled = env.oneOf('OTEL_SDK_DISABLED', BOOLEAN, 'false') === 'true';
  const ratioRaw = env.raw('OTEL_TRACES_SAMPLER_ARG');
  let sampleRatio = 1;
  if (ratioRaw !== undefined) {
    sampleRatio = Number(ratioRaw);
    if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) {
      env.fail(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "${ratioRaw}")`);
      sampleRatio = 1;
    }
  }
  return {
    enabled: !disabled && exporter !== 'none',
    exporter,
    serviceName: env.optionalString('OTEL_SERVICE_NAME'),
    sampleRatio,
    exportDelayMs: env.int('OTEL_BSP_SCHEDULE_DELAY', 1000, 10, 600_000),
    captureContent: env.oneOf('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', BOOLEAN, 'false') === 'true',
  };
}
