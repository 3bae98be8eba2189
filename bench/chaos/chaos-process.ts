import { ChildProcess, spawn } from 'node:child_process';

/** The sum of every sample of a Prometheus counter family (all label sets) in a /metrics text. */
export function counterSum(metrics: string, family: string): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(family)) continue;
    const rest = line.slice(family.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/**
 * One app of the campaign as a child process (its build), restartable on the same port and instance id. Exits the
 * campaign did not cause are counted: no process may exit on its own. A counter read from /metrics is summed over
 * incarnations (a SIGKILL loses what happened after the last scrape, at most one scrape interval).
 */
export class ChaosProcess {
  private child?: ChildProcess;
  private expectingExit = false;
  unexpectedExits: string[] = [];
  private counted = 0;
  private current = 0;
  output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly entry: string[],
    private readonly env: Record<string, string>,
    private readonly counterFamily?: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    this.expectingExit = false;
    const child = spawn(process.execPath, this.entry, {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (!this.expectingExit)
        this.unexpectedExits.push(`${this.name} exited on its own (code ${code}, signal ${signal})`);
      this.counted += this.current;
      this.current = 0;
    });
    this.child = child;
  }

  /** SIGKILL (no drain, no goodbye); resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGTERM with a deadline (the end of the campaign). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Reads the counter family from /metrics (when running); keeps the last value of this incarnation. */
  async scrape(): Promise<void> {
    if (!this.counterFamily || !this.running) return;
    try {
      const incarnation = this.child;
      const response = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = response.ok ? await response.text() : undefined;
      // A scrape that raced a kill must not overwrite the next incarnation's count.
      if (text !== undefined && incarnation === this.child && this.running)
        this.current = Math.max(this.current, counterSum(text, this.counterFamily));
    } catch {
      // not up yet, or just killed
    }
  }

  get counter(): number {
    return this.counted + this.current;
  }
}
