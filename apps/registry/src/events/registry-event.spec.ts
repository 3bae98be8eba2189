import { parseRegistryEvent } from './registry-event';

describe('parseRegistryEvent', () => {
  const valid = {
    type: 'registered',
    agent_id: 'DEV-001',
    at: '2025-01-01T00:00:00.000Z',
    origin: 'r1',
    data: { role: 'backend_dev' },
  };

  it('accepts a well-formed event', () => {
    expect(parseRegistryEvent(JSON.stringify(valid))).toEqual(valid);
  });

  it.each([
    ['not JSON', '{'],
    ['a non-object', '42'],
    ['an unknown type', JSON.stringify({ ...valid, type: 'exploded' })],
    ['a missing agent_id', JSON.stringify({ ...valid, agent_id: undefined })],
    ['missing data', JSON.stringify({ ...valid, data: null })],
  ])('ignores %s', (_label, raw) => {
    expect(parseRegistryEvent(raw)).toBeUndefined();
  });
});
