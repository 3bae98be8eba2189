/**
 * Callers waiting for an agent's slot (and, with a task id, for that task to hold none): woken when a slot is freed
 * instead of polling. The agent says what "free" means; a woken caller is not given the slot — it assigns and, if
 * someone else took it first, waits again.
 */
export class SlotWaiters {
  private readonly waiting = new Set<{ taskId?: string; wake: () => void }>();

  /** Resolves when woken, or when `signal` aborts (the waiter is then forgotten). */
  wait(taskId: string | undefined, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        taskId,
        wake: () => {
          signal?.removeEventListener('abort', giveUp);
          resolve();
        },
      };
      const giveUp = () => {
        this.waiting.delete(waiter);
        resolve();
      };
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.add(waiter);
    });
  }

  /** Wakes up to `free` waiters, in arrival order, whose condition holds (not all of them to race for one slot). */
  wake(free: number, isFree: (taskId?: string) => boolean): void {
    for (const waiter of this.waiting) {
      if (free <= 0) break;
      if (!isFree(waiter.taskId)) continue;
      this.waiting.delete(waiter);
      waiter.wake();
      free -= 1;
    }
  }

  get size(): number {
    return this.waiting.size;
  }
}
