import { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { lastEventId, withKeepAlive } from './sse';

describe('withKeepAlive', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends a comment (no id) after each quiet interval, not while events flow, and stops with the stream', () => {
    const source = new Subject<MessageEvent>();
    const got: MessageEvent[] = [];
    let completed = false;
    withKeepAlive(source, 1000).subscribe({ next: (e) => got.push(e), complete: () => (completed = true) });
    jest.advanceTimersByTime(999);
    source.next({ id: '1', type: 'a', data: {} });
    jest.advanceTimersByTime(999);
    expect(got).toEqual([{ id: '1', type: 'a', data: {} }]);
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(1000);
    expect(got.slice(1)).toEqual([{ comment: 'keep-alive' }, { comment: 'keep-alive' }]);
    source.complete();
    jest.advanceTimersByTime(5000);
    expect([completed, got.length]).toEqual([true, 3]);
  });
});

describe('lastEventId', () => {
  it('passes a well-formed id, ignores an absent one, and refuses anything else naming the header', () => {
    expect(lastEventId('42', /^[0-9]{1,19}$/, '42')).toBe('42');
    expect(lastEventId(undefined, /^[0-9]{1,19}$/, '42')).toBeUndefined();
    expect(lastEventId('', /^[0-9]{1,19}$/, '42')).toBeUndefined();
    for (const bad of ['4x', '1'.repeat(20), '-1', 'x'.repeat(100)]) {
      expect(() => lastEventId(bad, /^[0-9]{1,19}$/, '42')).toThrow(/Last-Event-ID/);
    }
  });
});
