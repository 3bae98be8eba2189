import { cronProblem, dueFires, nextFireTimes } from './schedule-clock';

const at = (iso: string) => new Date(iso);
const times = (r: { fires: { time: Date; trigger: string }[] }) =>
  r.fires.map((f) => `${f.time.toISOString().slice(11, 19)} ${f.trigger}`);

describe('schedule clock', () => {
  it('names the bad field of a schedule: cron or time zone', () => {
    expect(cronProblem('*/5 * * * *', 'Europe/Berlin')).toBeUndefined();
    expect(cronProblem('* * * * * *', 'UTC')).toBeUndefined();
    expect(cronProblem('61 * * * *', 'UTC')?.field).toBe('cron');
    expect(cronProblem('not cron', 'UTC')?.field).toBe('cron');
    expect(cronProblem('* * * * *', 'Mars/Olympus')).toEqual({
      field: 'timezone',
      message: expect.stringContaining('Mars/Olympus') as string,
    });
  });

  it('lists the next fire times in the schedule time zone', () => {
    const next = nextFireTimes('0 9 * * *', 'Europe/Berlin', at('2026-12-01T10:00:00Z'), 2);
    expect(next.map((d) => d.toISOString())).toEqual(['2026-12-02T08:00:00.000Z', '2026-12-03T08:00:00.000Z']);
  });

  it('fires the latest time when it is within the tolerance, and nothing before its first due time', () => {
    const r = dueFires(
      '* * * * * *',
      'UTC',
      at('2026-12-01T10:00:05Z'),
      at('2026-12-01T10:00:05.300Z'),
      'none',
      10,
      2000,
    );
    expect(times(r)).toEqual(['10:00:05 cron']);
    expect(r.missed).toBe(0);
    expect(
      dueFires('* * * * * *', 'UTC', at('2026-12-01T10:00:06Z'), at('2026-12-01T10:00:05.900Z'), 'all', 10, 2000).fires,
    ).toEqual([]);
  });

  it('catch_up none drops missed fires, last runs the most recent, all runs them in order up to max', () => {
    const from = at('2026-12-01T10:00:00Z');
    const now = at('2026-12-01T10:00:04.500Z'); // 10:00:00 … 10:00:04 due; :04 on time
    expect(times(dueFires('* * * * * *', 'UTC', from, now, 'none', 10, 1000))).toEqual(['10:00:04 cron']);
    expect(dueFires('* * * * * *', 'UTC', from, now, 'none', 10, 1000).missed).toBe(4);
    expect(times(dueFires('* * * * * *', 'UTC', from, now, 'last', 10, 1000))).toEqual(['10:00:04 cron']);
    expect(times(dueFires('* * * * * *', 'UTC', from, now, 'all', 10, 1000))).toEqual([
      '10:00:00 catch_up',
      '10:00:01 catch_up',
      '10:00:02 catch_up',
      '10:00:03 catch_up',
      '10:00:04 cron',
    ]);
    const capped = dueFires('* * * * * *', 'UTC', from, now, 'all', 2, 1000);
    expect(times(capped)).toEqual(['10:00:02 catch_up', '10:00:03 catch_up', '10:00:04 cron']);
  });

  it('after an outage longer than the tolerance, last runs one catch-up fire and none runs nothing', () => {
    const from = at('2026-12-01T09:00:00Z');
    const now = at('2026-12-01T12:30:00Z'); // hourly: 09:00 … 12:00 missed
    expect(times(dueFires('0 * * * *', 'UTC', from, now, 'last', 10, 5000))).toEqual(['12:00:00 catch_up']);
    expect(dueFires('0 * * * *', 'UTC', from, now, 'none', 10, 5000)).toEqual({ fires: [], missed: 4 });
  });

  it('walks at most max + 1 steps back, however long the outage', () => {
    const r = dueFires('* * * * * *', 'UTC', at('2026-01-01T00:00:00Z'), at('2026-12-01T00:00:00.700Z'), 'all', 3, 500);
    expect(r.fires).toHaveLength(3);
    expect(r.fires.every((f) => f.trigger === 'catch_up')).toBe(true);
  });
});
