import type { ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';

/**
 * After the last test: a child process, server or socket still open is a leak of some suite (a `redis-server` whose
 * harness lost track of it, a listener a failed `beforeAll` never closed). `npm test` runs in band, so any of them
 * keeps Jest's process alive and CI waits until its deadline. Each is named on stderr and let go (children killed,
 * servers closed, sockets unref'd); if something the list cannot reach (a timer) still holds the process after a
 * grace period, the remaining resources are printed and the process exits with the code Jest already set. Leaks stay
 * visible in the log instead of hanging the run.
 */
export default async function globalTeardown(): Promise<void> {
  // A client that just sent QUIT or a server that was told to close is still finishing: give them a moment.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);
  for (const handle of (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()) {
    if (stdio.has(handle)) continue;
    const leak = describe(handle);
    if (!leak) continue;
    process.stderr.write(`\n[teardown] left open by a test: ${leak.what}\n`);
    leak.close();
  }
  const grace = setTimeout(() => {
    process.stderr.write(
      `\n[teardown] still running 15 s after the tests; open: ${JSON.stringify(process.getActiveResourcesInfo())}\n`,
    );
    process.exit();
  }, 15_000);
  grace.unref(); // fires only when something else still holds the process
}

function describe(handle: unknown): { what: string; close: () => void } | undefined {
  const h = handle as Partial<ChildProcess & Server & Socket> & { constructor?: { name?: string } };
  if (typeof h.spawnfile === 'string' && typeof h.kill === 'function') {
    return { what: `child process ${h.pid}: ${(h.spawnargs ?? []).join(' ')}`, close: () => h.kill!('SIGKILL') };
  }
  if (typeof h.listening === 'boolean' && typeof h.close === 'function' && h.listening) {
    return { what: `server ${JSON.stringify((h as Server).address())}`, close: () => (h as Server).close() };
  }
  // Unref'd, not destroyed: a client library (ioredis) would answer a destroyed socket by reconnecting.
  if (h.constructor?.name === 'Socket' && typeof h.unref === 'function' && h.remotePort !== undefined) {
    return { what: `socket to ${h.remoteAddress}:${h.remotePort} (unref'd)`, close: () => (h as Socket).unref() };
  }
  return undefined;
}
