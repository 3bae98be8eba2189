import { safeMinId } from './trim';

describe('safeMinId', () => {
  it('is null without groups (nothing may be trimmed)', () => {
    expect(safeMinId([])).toBeNull();
  });

  it('keeps the oldest pending entry of any group', () => {
    expect(
      safeMinId([
        { lastDeliveredId: '100-5', oldestPendingId: '90-0' },
        { lastDeliveredId: '100-5', oldestPendingId: null },
      ]),
    ).toBe('90-0');
  });

  it('keeps everything a lagging group has not read yet', () => {
    expect(
      safeMinId([
        { lastDeliveredId: '100-5', oldestPendingId: null },
        { lastDeliveredId: '40-2', oldestPendingId: null },
      ]),
    ).toBe('40-3');
  });
});
