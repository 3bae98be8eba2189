import { ChildProcess, spawn } from 'node:child_process';

/**
 * One app of the campaign as a child process (its build), restartable on the same port and instance id. Exits the
 * campaign did not cause are counted: no process may exit on its own.
 */
export class ChaosProcess {
  private child?: ChildProcess;
  private expectingExit = false;
  unexpectedExits: string[] = [];
  output = '';
  /** Entries a host acknowledged without running: copies of an attempt another entry had claimed (decision 0082). */
  copiesSkipped = 0;
  /** Every process this app ran as, in order (a re-execution's pid names the app that ran it). */
  readonly pids: number[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly entry: string[],
    private readonly env: Record<string, string>,
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
    let partial = ''; // a line split over two chunks is counted once, when it is whole
    const keep = (d: Buffer) => {
      const text = d.toString();
      this.output = (this.output + text).slice(-20_000);
      const lines = (partial + text).split('\n');
      partial = lines.pop()!.slice(-2_000);
      for (const line of lines) if (line.includes(' is a copy of ')) this.copiesSkipped += 1;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (!this.expectingExit)
        this.unexpectedExits.push(
          `${this.name} exited on its own (code ${code}, signal ${signal}); its last output:\n${this.output.slice(-12_000)}`,
        );
    });
    if (child.pid !== undefined) this.pids.push(child.pid);
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

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }
}
