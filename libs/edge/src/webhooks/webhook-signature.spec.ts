import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature, webhookSignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test_secret_0123456789';
  const body = JSON.stringify({ id: 'task_event:1', type: 'task.status_changed' });
  const now = new Date('2026-12-01T12:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  it('signs "<t>.<body>" with HMAC-SHA256, as a receiver recomputes it', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(webhookSignature(secret, t, body)).toBe(`t=${t},v1=${expected}`);
    expect(signWebhook(secret, 'task_event:1', body, now)).toEqual({
      'webhook-id': 'task_event:1',
      'webhook-timestamp': String(t),
      'webhook-signature': `t=${t},v1=${expected}`,
    });
  });

  it('verifies its own signature, and refuses another secret, another body, a stale time, garbage', () => {
    const header = signWebhook(secret, 'e', body, now)['webhook-signature'];
    expect(verifyWebhookSignature(secret, body, header, { now })).toBe(true);
    expect(verifyWebhookSignature('another_secret_0123456', body, header, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, body + ' ', header, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, { now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, { now: new Date(now.getTime() + 299_000) })).toBe(true);
    expect(verifyWebhookSignature(secret, body, undefined, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, `t=${t}`, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, `t=${t},v1=zz`, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, `t=x,v1=${'0'.repeat(64)}`, { now })).toBe(false);
  });

  it('accepts any matching v1 (two during a secret rotation)', () => {
    const good = webhookSignature(secret, t, body).split(',')[1];
    expect(verifyWebhookSignature(secret, body, `t=${t},v1=${'0'.repeat(64)},${good}`, { now })).toBe(true);
  });
});
