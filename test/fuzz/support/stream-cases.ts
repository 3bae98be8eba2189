import fc from 'fast-check';
import { createEnvelope } from '@app/transport';
import { Rng } from './seed';

const DEEP = '['.repeat(5000) + ']'.repeat(5000);

/**
 * Hostile stream entries for an address: junk, malformed and poisoned envelopes, wrong field types, and
 * well-formed envelopes of the address' real patterns carrying hostile payloads. Each is a field list for XADD.
 */
export function streamEntries(to: string, patterns: string[], rng: Rng, rounds: number): string[][] {
  const valid = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      ...createEnvelope({ from_agent: 'FUZ-001', to_agent: to, message_type: rng.pick(patterns), payload: { a: 1 } }),
      ...extra,
    });
  const entries: string[][] = [
    ['envelope', '{not json'],
    ['other', 'field'],
    ['envelope', ''],
    ['envelope', 'null'],
    ['envelope', '[]'],
    ['envelope', valid().replace('{', '{"__proto__":{"attempt":1},')],
    ['envelope', valid({ attempt: undefined })],
    ['envelope', valid({ attempt: 'NaN' })],
    ['envelope', valid({ attempt: 1e308 })],
    ['envelope', valid({ reply_to: 42 })],
    ['envelope', valid({ reply_to: 'not-a-reply-stream' })],
    ['envelope', valid({ unknown_field: true })],
    ['envelope', valid({ message_type: 'no.such.pattern' })],
    ['envelope', valid({ payload: 'X' }).replace('"X"', DEEP)],
    ['envelope', valid({ payload: { title: 'a\u0000b', input: { s: '\ud800' } } })],
    ['envelope', valid({ payload: { task_id: '\u0000', agent_id: 'A'.repeat(500), status: 'completed' } })],
    ['envelope', valid({ payload: Array.from({ length: 50_000 }, () => 1) })],
    ['envelope', valid({ payload: null })],
    ['envelope', valid({ timestamp: 'yesterday' })],
    ['envelope', Buffer.from([0xff, 0xfe, 0x00]).toString('latin1')],
  ];
  for (let i = 0; i < rounds * 10; i++) {
    entries.push(['envelope', valid({ payload: rng.draw(fc.jsonValue({ maxDepth: 8 })) })]);
    entries.push(['envelope', rng.draw(fc.string({ unit: 'binary', maxLength: 500 }))]);
  }
  return entries;
}
