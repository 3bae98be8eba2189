import { Counter, Gauge, Histogram, register } from 'prom-client';

/** Get-or-create in the default registry: several servers/clients in one process share one set of series. */
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return (register.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, labelNames });
}

function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  return (
    (register.getSingleMetric(name) as Histogram<string> | undefined) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}

export interface TransportMetrics {
  sent: Counter<string>;
  handled: Counter<string>;
  redelivered: Counter<string>;
  deadLettered: Counter<string>;
  inFlight: Gauge<string>;
  handlerDuration: Histogram<string>;
  pendingEntries: Gauge<string>;
  deadLetterEntries: Gauge<string>;
}

export function transportMetrics(): TransportMetrics {
  return {
    sent: counter('transport_messages_sent_total', 'Messages appended to a stream by a client', [
      'address',
      'pattern',
      'kind',
    ]),
    handled: counter('transport_messages_handled_total', 'Handler executions by outcome', [
      'address',
      'pattern',
      'outcome',
    ]),
    redelivered: counter(
      'transport_messages_redelivered_total',
      'Entries delivered again (retry after failure, reclaimed or recovered pending)',
      ['address', 'cause'],
    ),
    deadLettered: counter('transport_messages_dead_lettered_total', 'Entries moved to a dead-letter stream', [
      'address',
      'reason',
    ]),
    inFlight: gauge('transport_messages_in_flight', 'Entries being handled right now', ['address']),
    handlerDuration: histogram(
      'transport_handler_duration_seconds',
      'Handler execution time',
      ['address', 'pattern'],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    ),
    pendingEntries: gauge('transport_stream_pending_entries', 'Unacknowledged entries of a stream (all groups)', [
      'address',
    ]),
    deadLetterEntries: gauge(
      'transport_dead_letter_entries',
      'Entries waiting in the dead-letter stream of an address (until replayed or purged)',
      ['address'],
    ),
  };
}
