import { CronExpressionParser } from 'cron-parser';

export const OVERLAP_POLICIES = ['skip', 'queue', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
export const CATCH_UP_POLICIES = ['none', 'last', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];
export type FireTrigger = 'cron' | 'catch_up' | 'manual';

export interface DueFire {
  time: Date;
  trigger: FireTrigger;
}

/** The problem with a cron expression or time zone, or undefined when both are usable. */
export function cronProblem(
  cron: string,
  timezone: string,
): { field: 'cron' | 'timezone'; message: string } | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return { field: 'timezone', message: `unknown IANA time zone "${timezone}" (e.g. UTC, Europe/Berlin)` };
  }
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false }).next();
  } catch (error) {
    return { field: 'cron', message: `not a cron expression: ${(error as Error).message}` };
  }
  return undefined;
}

/** The next `count` fire times strictly after `after`. */
export function nextFireTimes(cron: string, timezone: string, after: Date, count: number): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: after });
  return interval.take(count).map((d) => d.toDate());
}

/**
 * Which fires are due at `now` for a schedule whose earliest unfired time is `from`: the latest
 * fire time is on time when it is at most `toleranceMs` old; every other one was missed (the
 * orchestrator was down, or the schedule was paused) and `catchUp` decides: `none` drops them,
 * `last` runs only the most recent, `all` runs up to `max` of them (the most recent ones).
 * Walks backwards from `now`, so a long outage of an every-second schedule costs at most max + 1 steps.
 */
export function dueFires(
  cron: string,
  timezone: string,
  from: Date,
  now: Date,
  catchUp: CatchUpPolicy,
  max: number,
  toleranceMs: number,
): { fires: DueFire[]; missed: number } {
  if (from.getTime() > now.getTime()) return { fires: [], missed: 0 };
  const interval = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(now.getTime() + 1) });
  const times: Date[] = [];
  const limit = Math.max(max, 1) + 1;
  while (times.length < limit) {
    const t = interval.prev().toDate();
    if (t.getTime() < from.getTime()) break;
    times.push(t);
  }
  if (times.length === 0) return { fires: [], missed: 0 };
  const [latest, ...older] = times; // newest first
  const onTime = now.getTime() - latest.getTime() <= toleranceMs;
  const late = onTime ? older : times;
  const fires: DueFire[] = onTime ? [{ time: latest, trigger: 'cron' }] : [];
  let chosen: Date[] = [];
  if (catchUp === 'last') chosen = late.slice(0, onTime ? 0 : 1);
  if (catchUp === 'all') chosen = late.slice(0, max);
  for (const time of chosen) fires.push({ time, trigger: 'catch_up' });
  fires.sort((a, b) => a.time.getTime() - b.time.getTime());
  return { fires, missed: late.length - chosen.length };
}
