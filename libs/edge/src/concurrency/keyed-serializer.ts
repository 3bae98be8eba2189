/**
 * Work for one key runs one at a time, in call order; different keys run concurrently. A failed step does not
 * stop the next one for its key (the caller of the failed step sees the rejection). Keys with nothing queued are
 * forgotten, so the map holds only keys with work in flight.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.tails.set(key, next);
    void next
      .finally(() => {
        if (this.tails.get(key) === next) this.tails.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  /** Settles when everything queued so far has settled (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
