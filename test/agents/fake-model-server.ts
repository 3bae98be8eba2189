import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary wire JSON
  body: any;
}

/** A scripted reply: a status, headers and JSON body, or `hang` (never answers, to force a timeout). */
export type FakeReply = { status: number; headers?: Record<string, string>; body: unknown } | 'hang';

/**
 * A local HTTP server (port 0) speaking a model API's wire format from a queue of replies,
 * recording every request the SDK sent.
 */
export class FakeModelServer {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: FakeReply[] = [];
  private server?: Server;

  reply(...replies: FakeReply[]): this {
    this.replies.push(...replies);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        });
        const next = this.replies.shift() ?? {
          status: 500,
          body: { error: { message: 'fake server has no reply queued' } },
        };
        if (next === 'hang') return;
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
        res.end(JSON.stringify(next.body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Recorded shape of an OpenAI `chat.completion` response. */
export function openAiCompletion(content: string, usage = { prompt_tokens: 812, completion_tokens: 245 }) {
  return {
    id: 'chatcmpl-9xYz',
    object: 'chat.completion',
    created: 1_733_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    system_fingerprint: 'fp_0ba0d124f1',
  };
}

/** Recorded shape of an Anthropic Messages API response. */
export function anthropicMessage(text: string, usage = { input_tokens: 903, output_tokens: 311 }) {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  };
}
