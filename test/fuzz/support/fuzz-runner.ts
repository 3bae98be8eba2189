import { FuzzCase } from './openapi-cases';

export interface Finding {
  operation: string;
  what: string;
  status: number;
  why: string;
  body: string;
}

interface Outcome {
  status: number;
  text: string;
}

/** Sends one case; an SSE answer is cut after its headers (it would stream forever). */
async function send(baseUrl: string, c: FuzzCase): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (c.contentType) headers['content-type'] = c.contentType;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    const response = await fetch(`${baseUrl}${c.path}`, {
      method: c.method,
      headers,
      body: c.body === undefined || c.method === 'GET' || c.method === 'HEAD' ? undefined : c.body,
      signal: controller.signal,
    });
    if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      controller.abort();
      return { status: response.status, text: '' };
    }
    return { status: response.status, text: await response.text() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The oracles: never a 5xx; every 4xx the uniform error body (message, path, timestamp, request_id) whose
 * message, or field list, names what is wrong: a request part, a parameter or a property of the operation.
 */
export function judge(c: FuzzCase, outcome: Outcome): string | null {
  // Readiness answers 503 by design whenever a dependency check is slow or down; it is a probe, not input handling.
  if (outcome.status === 503 && c.path.startsWith('/health/ready')) return null;
  if (outcome.status >= 500) return `server error ${outcome.status}`;
  if (outcome.status < 400) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(outcome.text) as Record<string, unknown>;
  } catch {
    return 'a 4xx without a JSON body';
  }
  for (const key of ['statusCode', 'error', 'message', 'path', 'timestamp', 'request_id']) {
    if (body[key] === undefined || body[key] === '') return `error body without ${key}`;
  }
  if (outcome.status === 404 || outcome.status === 405) return null; // names the resource or the route
  const message = String(body.message);
  const fields = Array.isArray(body.errors)
    ? (body.errors as Array<{ field?: string }>).map((e) => String(e.field))
    : [];
  const named = (text: string) =>
    c.names.some(
      (n) =>
        text === n ||
        text.startsWith(`${n}.`) ||
        text.startsWith(`${n}[`) ||
        text.startsWith(`${n}:`) ||
        text.startsWith(`${n} `),
    );
  if (
    fields.some(named) ||
    named(message) ||
    c.names.some((n) => message.includes(`${n}:`) || message.includes(` ${n} `))
  )
    return null;
  return `the message names nothing of the request: "${message.slice(0, 200)}"`;
}

/** Records a finding, and prints it at once: a long run shows its findings before it ends. */
function note(findings: Finding[], c: FuzzCase, outcome: Outcome, why: string): void {
  process.stdout.write(
    `fuzz finding: ${c.operation} [${c.what}] → ${outcome.status}: ${why} ${outcome.text.slice(0, 200)}\n`,
  );
  findings.push({
    operation: c.operation,
    what: c.what,
    status: outcome.status,
    why,
    body: outcome.text.slice(0, 300),
  });
}

/** Runs the cases a few at a time and returns what broke an oracle. */
export async function runCases(baseUrl: string, cases: FuzzCase[], concurrency = 4): Promise<Finding[]> {
  const findings: Finding[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      let outcome: Outcome;
      try {
        outcome = await send(baseUrl, c);
      } catch (err) {
        outcome = { status: 0, text: '' };
        note(findings, c, outcome, `no answer: ${(err as Error).message}`);
        continue;
      }
      const why = judge(c, outcome);
      if (why) note(findings, c, outcome, why);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return findings;
}
