import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The one way to run work in a transaction on a connection of its own: begin, `work`, commit — or, on any error,
 * roll back and rethrow — and always give the connection back. Work that must happen only after the commit (publishing,
 * releasing slots) is returned by `work` and run by the caller once this resolves.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const result = await work(runner);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
