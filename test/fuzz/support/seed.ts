import fc from 'fast-check';

/** FUZZ_SEED replays a run; otherwise a fresh seed, printed so a failure can be replayed. */
export function fuzzSeeds(): number[] {
  const fixed = process.env.FUZZ_SEED;
  if (fixed !== undefined && fixed !== '') return [Number(fixed)];
  const count = Math.max(1, Number(process.env.FUZZ_SEEDS ?? 1));
  const first = Math.floor(Math.random() * 2 ** 31);
  return Array.from({ length: count }, (_, i) => (first + i * 7919) % 2 ** 31);
}

/** Rounds of random values per operation on top of the fixed hostile cases (the long form raises it). */
export function fuzzRounds(): number {
  return Math.max(1, Number(process.env.FUZZ_ROUNDS ?? 1));
}

/** A seeded source of choices and random values (fast-check's generators, replayable from the seed). */
export class Rng {
  private calls = 0;

  constructor(readonly seed: number) {}

  /** One value of a fast-check arbitrary, determined by the seed and how many values were drawn before. */
  draw<T>(arbitrary: fc.Arbitrary<T>): T {
    this.calls += 1;
    return fc.sample(arbitrary, { seed: this.seed + this.calls, numRuns: 1 })[0];
  }

  int(min: number, max: number): number {
    return this.draw(fc.integer({ min, max }));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}
