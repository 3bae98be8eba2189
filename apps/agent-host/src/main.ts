import { UnknownAgentError } from '@app/agents';
import { enforceShutdownDeadline, loadConfigOrExit, waitForDependencies } from '@app/common';
import { startAgentHost } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  try {
    await waitForDependencies({ ...config, port: config.agentHostPort });
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
