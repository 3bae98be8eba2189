import { Agent, createTask, getAgent, ModelProviderError, OpenAiProvider, scriptedOutput } from '@app/agents';
import { FakeModelServer, openAiCompletion } from './fake-model-server';

const quiet = { log: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
const med = getAgent('MED-001');
const validMcq = JSON.stringify(scriptedOutput(med, createTask({ title: 'Heart failure' })));
const rateLimited = {
  status: 429,
  headers: { 'retry-after-ms': '5' },
  body: {
    error: {
      message: 'Rate limit reached for gpt-4o-mini',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
  },
};

describe('OpenAiProvider against a local server speaking /v1/chat/completions', () => {
  let server: FakeModelServer;
  let baseUrl: string;
  const provider = (opts: { timeoutMs?: number; maxRetries?: number } = {}) =>
    new OpenAiProvider({
      model: 'gpt-4o-mini',
      apiKey: 'sk-test',
      baseUrl: `${baseUrl}/v1`,
      timeoutMs: opts.timeoutMs ?? 5000,
      maxRetries: opts.maxRetries ?? 2,
      maxOutputTokens: 2048,
    });

  beforeEach(async () => {
    server = new FakeModelServer();
    baseUrl = await server.start();
  });
  afterEach(() => server.stop());

  it('sends model, system + user messages and the output kind as json_schema, and records usage in the task', async () => {
    server.reply({ status: 200, body: openAiCompletion(validMcq) });
    const agent = new Agent(med, provider(), { logger: quiet });
    const task = await agent.runTask(createTask({ title: 'Heart failure', description: 'One MCQ on HFrEF therapy' }));

    expect(task.status).toBe('completed');
    expect(task.result).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      usage: { input_tokens: 812, output_tokens: 245 },
      model_calls: 1,
    });
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_completion_tokens: 2048,
      messages: [
        { role: 'system', content: med.system_prompt },
        { role: 'user', content: expect.stringContaining('Task: Heart failure') },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'mcq_item',
          strict: false,
          schema: { type: 'object', required: expect.arrayContaining(['stem', 'options', 'correct_key']) },
        },
      },
    });
  });

  it('retries a 429 (the SDK backs off, honouring retry-after) and then succeeds', async () => {
    server.reply(rateLimited, { status: 200, body: openAiCompletion(validMcq) });
    const task = await new Agent(med, provider(), { logger: quiet }).runTask(createTask({ title: 'Heart failure' }));
    expect(task.status).toBe('completed');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].headers['x-stainless-retry-count']).toBe('1');
  });

  it('gives up after the configured retries on 5xx with a clear error', async () => {
    const unavailable = {
      status: 503,
      headers: { 'retry-after-ms': '5' },
      body: { error: { message: 'The server is overloaded', type: 'server_error' } },
    };
    server.reply(unavailable, unavailable);
    const error = await provider({ maxRetries: 1 })
      .complete({
        system: 's',
        messages: [{ role: 'user', content: 'u' }],
        schema_name: 'mcq_item',
        schema: {},
        purpose: 'task',
        agent: med,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ kind: 'unavailable', status: 503 });
    expect((error as Error).message).toMatch(/^openai model "gpt-4o-mini" answered HTTP 503 after 2 attempts/);
    expect(server.requests).toHaveLength(2);
  });

  it('fails a task clearly when the model does not answer in time', async () => {
    server.reply('hang');
    const task = await new Agent(med, provider({ timeoutMs: 300, maxRetries: 0 }), { logger: quiet }).runTask(
      createTask({ title: 'Heart failure' }),
    );
    expect(task).toMatchObject({
      status: 'failed',
      error_type: 'model_timeout',
      error: 'openai model "gpt-4o-mini" timed out: no answer within 300 ms',
    });
  });

  it('aborts the HTTP call when the task is canceled', async () => {
    server.reply('hang');
    const agent = new Agent(med, provider(), { logger: quiet });
    const task = createTask({ title: 'Heart failure' });
    const running = agent.runTask(task);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    agent.cancelTask(task.task_id, 'workflow canceled');
    expect(await running).toMatchObject({ status: 'canceled', error: 'canceled: workflow canceled' });
  });

  it('falls back to json_object when the endpoint rejects json_schema, and remembers it', async () => {
    const rejected = {
      status: 400,
      body: {
        error: {
          message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
          type: 'invalid_request_error',
          param: 'response_format',
          code: null,
        },
      },
    };
    server.reply(
      rejected,
      { status: 200, body: openAiCompletion(validMcq) },
      { status: 200, body: openAiCompletion(validMcq) },
    );
    const agent = new Agent(med, provider(), { logger: quiet });
    expect((await agent.runTask(createTask({ title: 'Heart failure' }))).status).toBe('completed');
    expect((await agent.runTask(createTask({ title: 'Heart failure' }))).status).toBe('completed');
    expect(server.requests.map((r) => r.body.response_format.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object',
    ]);
  });

  it('repairs a reply that is not JSON with a second call carrying the parse error', async () => {
    server.reply(
      {
        status: 200,
        body: openAiCompletion('Sure! Here is the question: {oops', { prompt_tokens: 10, completion_tokens: 5 }),
      },
      {
        status: 200,
        body: openAiCompletion('```json\n' + validMcq + '\n```', { prompt_tokens: 20, completion_tokens: 7 }),
      },
    );
    const task = await new Agent(med, provider(), { logger: quiet }).runTask(createTask({ title: 'Heart failure' }));
    expect(task).toMatchObject({ status: 'completed', usage: { input_tokens: 30, output_tokens: 12 } });
    expect(task.result?.model_calls).toBe(2);
    const repair = server.requests[1].body.messages;
    expect(repair.slice(2)).toEqual([
      { role: 'assistant', content: 'Sure! Here is the question: {oops' },
      { role: 'user', content: expect.stringMatching(/^Your previous reply was not valid JSON/) },
    ]);
  });
});
