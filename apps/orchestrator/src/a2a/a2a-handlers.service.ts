import { Inject, Injectable } from '@nestjs/common';
import { AgentCard } from '@a2a-js/sdk';
import { DefaultExecutionEventBusManager, ServerCallContext } from '@a2a-js/sdk/server';
import { agentCard, catalogAgentCard, CardJson, findAgent, TEAM_SCOPE, teamCard } from '@app/agents';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Database } from '@app/persistence';
import { TasksService } from '../tasks/tasks.service';
import { WORKFLOW_DEFINITIONS, WorkflowDefinitions } from '../workflows/workflow-definitions.provider';
import { WorkflowsService } from '../workflows/workflows.service';
import { RemoteBridge } from '../remote/remote-bridge.service';
import { A2aExecutor } from './a2a-executor';
import { readOutcome } from './a2a-outcome';
import { PgPushNotificationStore, SignedPushSender } from './a2a-push';
import { A2aRequestHandler } from './a2a-request-handler';
import { AgentLookup, catalogLookup } from './a2a-target';
import { PgA2aTaskStore } from './a2a-task-store';

export interface A2aEndpoint {
  scope: string;
  cardJson: CardJson;
  handler: A2aRequestHandler;
}

/** Unauthenticated callers get the public card; the extended card only with credentials (d-auth adds the guard). */
function extendedCard(card: AgentCard, context: ServerCallContext): Promise<AgentCard> {
  if (!context.user?.isAuthenticated) return Promise.reject(new Error('unauthenticated'));
  return Promise.resolve({ ...card, description: `${card.description} (extended card: authenticated callers)` });
}

/** One A2A endpoint per scope: the team (PM-001) and each catalog agent, built on first use. */
@Injectable()
export class A2aHandlers {
  private readonly endpoints = new Map<string, A2aEndpoint>();
  private readonly workflowInputs: Map<string, { required: string[] }>;
  private readonly pushStore: PgPushNotificationStore;
  private readonly pushSender: SignedPushSender;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly tasks: TasksService,
    private readonly workflows: WorkflowsService,
    // The definitions loaded at start-up (cards are built once; versions added later keep their names).
    @Inject(WORKFLOW_DEFINITIONS) private readonly definitions: WorkflowDefinitions,
    // Outside A2A agents the bridge serves are reachable here too, by agent_id and their own endpoint (0102).
    private readonly remote: RemoteBridge,
  ) {
    this.pushStore = new PgPushNotificationStore(db);
    this.pushSender = new SignedPushSender(this.pushStore, {
      secret: config.a2a.pushSecret,
      maxAttempts: config.a2a.pushMaxAttempts,
      timeoutMs: config.a2a.pushTimeoutMs,
    });
    this.workflowInputs = new Map(this.summaries().map((w) => [w.name, { required: w.required_input }]));
  }

  /** 503 TASK_BACKLOG_FULL while the backlog is full (new A2A messages start tasks or runs). */
  assertBacklogRoom(): void {
    this.tasks.assertBacklogRoom();
  }

  /** The card of a scope with its URLs at `origin` (the configured public URL, else where the request came). */
  cardJson(scope: string, requestOrigin: string): CardJson | undefined {
    const endpoint = this.get(scope);
    if (!endpoint) return undefined;
    if (this.config.a2a.publicUrlsSet) return endpoint.cardJson;
    return this.buildCard(scope, requestOrigin);
  }

  private buildCard(scope: string, origin: string): CardJson {
    if (scope === TEAM_SCOPE) return teamCard(origin, this.summaries());
    const remote = this.remote.known(scope);
    if (!findAgent(scope) && remote)
      return agentCard({ ...remote, output_kind: remote.remote.output_kind }, origin, remote.name);
    return catalogAgentCard(scope, origin)!;
  }

  /** Catalog agents, then the remote agents the bridge serves. */
  private readonly agents: AgentLookup = (agentId) =>
    catalogLookup(agentId) ?? this.remote.known(agentId)?.capabilities;

  private summaries(): { name: string; description: string; required_input: string[]; steps: string[] }[] {
    return [...this.definitions.values()].map((d) => ({
      name: d.name,
      description: d.description,
      required_input: d.input?.required ?? [],
      steps: Object.keys(d.steps),
    }));
  }

  /** undefined for a scope that is neither the team, nor a catalog agent, nor a remote agent bridged here. */
  get(scope: string): A2aEndpoint | undefined {
    const known = this.endpoints.get(scope);
    if (known) return known;
    if (scope !== TEAM_SCOPE && !this.agents(scope)) return undefined;
    const origin = this.config.a2a.orchestratorPublicUrl;
    const cardJson = this.buildCard(scope, origin);
    const card = AgentCard.fromJSON(cardJson);
    const deps = { tasks: this.tasks, workflows: this.workflows };
    const store = new PgA2aTaskStore(this.db, scope, (kind, id) => readOutcome(deps, kind, id));
    const busManager = new DefaultExecutionEventBusManager();
    const executor = new A2aExecutor(scope, store, {
      ...deps,
      workflowInputs: this.workflowInputs,
      agents: this.agents,
    });
    const handler = new A2aRequestHandler(
      {
        scope,
        store,
        busManager,
        ...deps,
        workflowInputs: this.workflowInputs,
        agents: this.agents,
        cancelWaitMs: 10_000,
      },
      card,
      store,
      executor,
      busManager,
      this.pushStore,
      this.pushSender,
      card.capabilities?.extendedAgentCard ? (context: ServerCallContext) => extendedCard(card, context) : undefined,
    );
    const endpoint = { scope, cardJson, handler };
    this.endpoints.set(scope, endpoint);
    return endpoint;
  }
}
