import { UnknownAgentError } from '@app/agents';
import { enforceShutdownDeadline, exitOnStartupFailure, loadConfigOrExit, startWhenAvailable } from '@app/edge';
import { startTracing } from '@app/observability';
import { startAgentHost } from './bootstrap';
import { selectAgents } from './hosting/agent-selection';

async function main(): Promise<void> {
  const config = loadConfigOrExit('agent-host');
  startTracing(config.tracing, 'agent-host'); // before anything else, so every span and log line sees it
  try {
    selectAgents(config.agentIds); // an unknown agent stops start-up at once, outage or not
    // startAgentHost closes what it opened when it fails, so an outage during start-up just starts over.
    await startWhenAvailable({ ...config, port: config.agentHostPort }, async () => {
      await startAgentHost(config);
    });
  } catch (err) {
    if (err instanceof UnknownAgentError) {
      process.stderr.write(`Invalid configuration:\n  - AGENT_IDS: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  enforceShutdownDeadline(config.shutdownGraceSeconds);
}

main().catch((error: unknown) => exitOnStartupFailure(error, 'AgentHost'));
