import { DataSource } from 'typeorm';
import { sqlRows } from './sql-rows';

const db = (answer: unknown) => ({ query: jest.fn().mockResolvedValue(answer) }) as unknown as DataSource;

describe('sqlRows', () => {
  it('returns SELECT rows as they are', async () => {
    expect(await sqlRows(db([{ a: 1 }, { a: 2 }]), 'SELECT')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('unwraps the [rows, affected] pair TypeORM gives for UPDATE and DELETE', async () => {
    expect(await sqlRows(db([[{ role: 'x' }], 1]), 'DELETE')).toEqual([{ role: 'x' }]);
    expect(await sqlRows(db([[], 0]), 'UPDATE')).toEqual([]);
  });
});
