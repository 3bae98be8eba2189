import { KeyedSerializer } from './keyed-serializer';

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedSerializer', () => {
  it('runs one key in call order, one at a time, and different keys side by side', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = s.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
    });
    const a2 = s.run('a', () => {
      log.push('a2');
      return Promise.resolve(2);
    });
    const b1 = s.run('b', () => {
      log.push('b1');
      return Promise.resolve('b');
    });
    await tick();
    expect(log).toEqual(['a1 start', 'b1']);
    expect(s.size).toBe(1);
    release();
    await expect(a2).resolves.toBe(2);
    await expect(b1).resolves.toBe('b');
    await a1;
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await tick();
    expect(s.size).toBe(0);
  });

  it('lets the next step run after a failure, which only its own caller sees', async () => {
    const s = new KeyedSerializer();
    const failed = s.run('k', () => Promise.reject(new Error('boom')));
    const after = s.run('k', () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('boom');
    await expect(after).resolves.toBe('ran');
  });

  it('drains: settles after everything queued so far, failures included', async () => {
    const s = new KeyedSerializer();
    let done = 0;
    void s.run('x', async () => {
      await tick();
      done += 1;
    });
    s.run('y', () => Promise.reject(new Error('no'))).catch(() => undefined);
    await s.drain();
    expect(done).toBe(1);
  });
});
