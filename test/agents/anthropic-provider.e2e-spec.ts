import { Agent, AnthropicProvider, createTask, getAgent, scriptedOutput } from '@app/agents';
import { anthropicMessage, FakeModelServer } from './fake-model-server';

const quiet = { log: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
const qa = getAgent('QA-001');
const validReview = JSON.stringify(scriptedOutput(qa, createTask({ title: 'Review MCQ-7' })));

describe('AnthropicProvider against a local server speaking /v1/messages', () => {
  let server: FakeModelServer;
  let baseUrl: string;
  const provider = (opts: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new AnthropicProvider({
      model: 'claude-test-model',
      apiKey: 'sk-ant-test',
      baseUrl,
      timeoutMs: opts.timeoutMs ?? 5000,
      maxRetries: opts.maxRetries ?? 2,
      maxOutputTokens: 4096,
    });

  beforeEach(async () => {
    server = new FakeModelServer();
    baseUrl = await server.start();
  });
  afterEach(() => server.stop());

  it('sends model, max_tokens, system, messages and the output kind schema, and records usage', async () => {
    server.reply({ status: 200, body: anthropicMessage(validReview) });
    const task = await new Agent(qa, provider(), { logger: quiet }).runTask(
      createTask({ title: 'Review MCQ-7', description: 'Check the key' }),
    );

    expect(task.status).toBe('completed');
    expect(task.result).toMatchObject({
      output_kind: 'review',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 903, output_tokens: 311 },
    });
    const [req] = server.requests;
    expect(req.url).toBe('/v1/messages');
    // SDK 1.x authenticates with a bearer header; older versions used x-api-key.
    expect(req.headers.authorization ?? `Bearer ${String(req.headers['x-api-key'])}`).toBe('Bearer sk-ant-test');
    expect(req.headers['anthropic-version']).toBeDefined();
    expect(req.body).toMatchObject({
      model: 'claude-test-model',
      max_tokens: 4096,
      system: qa.system_prompt,
      messages: [{ role: 'user', content: expect.stringContaining('Task: Review MCQ-7\n\nCheck the key') }],
      output_config: {
        format: {
          type: 'json_schema',
          schema: { type: 'object', required: ['verdict', 'summary', 'issues'], additionalProperties: false },
        },
      },
    });
  });

  it('retries a 429 and then succeeds', async () => {
    server.reply(
      {
        status: 429,
        headers: { 'retry-after-ms': '5' },
        body: {
          type: 'error',
          error: {
            type: 'rate_limit_error',
            message: 'Number of request tokens has exceeded your per-minute rate limit',
          },
        },
      },
      { status: 200, body: anthropicMessage(validReview) },
    );
    const task = await new Agent(qa, provider(), { logger: quiet }).runTask(createTask({ title: 'Review MCQ-7' }));
    expect(task.status).toBe('completed');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].headers['x-stainless-retry-count']).toBe('1');
  });

  it('reports a rate limit that outlasts the retries as model_rate_limited', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after-ms': '5' },
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited' } },
    };
    server.reply(limited, limited);
    const task = await new Agent(qa, provider({ maxRetries: 1 }), { logger: quiet }).runTask(
      createTask({ title: 'Review MCQ-7' }),
    );
    expect(task).toMatchObject({ status: 'failed', error_type: 'model_rate_limited' });
    expect(task.error).toMatch(/^anthropic model "claude-test-model" answered HTTP 429 after 2 attempts/);
  });

  it('fails a task clearly when the model does not answer in time', async () => {
    server.reply('hang');
    const task = await new Agent(qa, provider({ timeoutMs: 300, maxRetries: 0 }), { logger: quiet }).runTask(
      createTask({ title: 'Review MCQ-7' }),
    );
    expect(task).toMatchObject({
      status: 'failed',
      error_type: 'model_timeout',
      error: 'anthropic model "claude-test-model" timed out: no answer within 300 ms',
    });
  });

  it('drops output_config when the endpoint rejects it, relying on the prompt', async () => {
    server.reply(
      {
        status: 400,
        body: {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'output_config: Extra inputs are not permitted' },
        },
      },
      { status: 200, body: anthropicMessage(validReview) },
    );
    const task = await new Agent(qa, provider(), { logger: quiet }).runTask(createTask({ title: 'Review MCQ-7' }));
    expect(task.status).toBe('completed');
    expect(server.requests.map((r) => 'output_config' in r.body)).toEqual([true, false]);
  });
});
