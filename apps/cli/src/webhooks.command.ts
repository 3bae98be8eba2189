/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- prints the API's JSON */
import { Command } from 'commander';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Api = (method: string, path: string, body?: unknown) => Promise<Json>;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `expert-agents webhooks create|list|get|delete|deliveries|replay` over /api/webhooks (webhooks:admin). */
export function addWebhooksCommand(cli: Command, api: Api, out: (text: string) => void, json: () => boolean): void {
  const hooks = cli.command('webhooks').description('webhook subscriptions (secret shown once), deliveries, replay');
  hooks
    .command('create')
    // Not --url: that one says where the orchestrator is.
    .requiredOption('--target <url>', 'where deliveries go (https)')
    .requiredOption(
      '--events <list>',
      'comma separated: task.status_changed, run.status_changed, approval.needed, dead_letter.created',
      list,
    )
    .option('--task <task_id>', 'only this task')
    .option('--run <run_id>', 'only this run and its tasks')
    .option('--description <text>')
    .action(async (o: Json) => {
      const created = await api('POST', '/api/webhooks', {
        url: o.target,
        event_types: o.events,
        ...(o.task ? { task_id: o.task } : {}),
        ...(o.run ? { run_id: o.run } : {}),
        ...(o.description ? { description: o.description } : {}),
      });
      if (json()) return out(JSON.stringify(created, null, 2));
      out(
        `webhook ${created.webhook_id} → ${created.url}; signing secret, shown once, store it now:\n${created.secret}`,
      );
    });
  hooks.command('list').action(async () => {
    const { webhooks: rows } = await api('GET', '/api/webhooks');
    if (json()) return out(JSON.stringify(rows, null, 2));
    for (const w of rows) {
      const scope = w.task_id ? `task ${w.task_id}` : w.run_id ? `run ${w.run_id}` : 'all';
      const d = w.deliveries;
      out(
        `${w.webhook_id}  ${w.url}  ${w.event_types.join(',')}  (${scope})  pending ${d.pending}, delivered ${d.delivered}, dead ${d.dead}`,
      );
    }
  });
  hooks.command('get <webhook_id>').action(async (id: string) => {
    out(JSON.stringify(await api('GET', `/api/webhooks/${encodeURIComponent(id)}`), null, 2));
  });
  hooks.command('delete <webhook_id>').action(async (id: string) => {
    await api('DELETE', `/api/webhooks/${encodeURIComponent(id)}`);
    out(`deleted ${id}`);
  });
  hooks
    .command('deliveries <webhook_id>')
    .option('--status <status>', 'pending | delivered | dead')
    .option('--limit <n>', 'per page', '50')
    .option('--after <cursor>', 'next_cursor of the previous page')
    .action(async (id: string, o: Json) => {
      const q = new URLSearchParams({ limit: String(o.limit) });
      if (o.status) q.set('status', String(o.status));
      if (o.after) q.set('after', String(o.after));
      const page = await api('GET', `/api/webhooks/${encodeURIComponent(id)}/deliveries?${q.toString()}`);
      if (json()) return out(JSON.stringify(page, null, 2));
      for (const d of page.deliveries)
        out(
          `${String(d.delivery_id).padEnd(8)} ${d.status.padEnd(9)} ${d.event_type.padEnd(20)} ${d.event_id.padEnd(24)} attempts ${d.attempts}${d.last_error ? `  last: ${d.last_error}` : ''}`,
        );
      if (page.next_cursor) out(`more: --after ${page.next_cursor}`);
    });
  hooks
    .command('replay <webhook_id> [delivery_id]')
    .description('send one dead delivery again, or every dead one')
    .action(async (id: string, deliveryId: string | undefined) => {
      const path = deliveryId
        ? `/api/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`
        : `/api/webhooks/${encodeURIComponent(id)}/deliveries/replay`;
      const answer = await api('POST', path);
      if (json() || deliveryId) return out(JSON.stringify(answer, null, 2));
      out(`replayed ${answer.replayed} dead delivery(ies)`);
    });
}
