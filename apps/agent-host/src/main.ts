import { UnknownAgentError } from '@app/agents';
import { enforceShutdownDeadline, loadConfigOrExit } from '@app/common';
import { startTracing } from '@app/observability';
import { startAgentHost } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  startTracing(config.tracing, 'agent-host'); // before anything else, so every span and log line sees it
  try {
    await startAgentHost(config);
  } catch (err) {
    if (err instanceof UnknownAgentError) {
      process.stderr.write(`Invalid configuration:\n  - AGENT_IDS: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  enforceShutdownDeadline(config.shutdownGraceSeconds);
}

void main();
