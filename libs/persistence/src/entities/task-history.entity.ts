import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Relation,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { TaskStatus } from '@app/contracts';
import { AgentEntity } from './agent.entity';
import { WorkflowRunEntity } from './workflow-run.entity';

export { TASK_STATUSES, TaskStatus } from '@app/contracts';

@Entity({ name: 'task_history' })
@Check('chk_task_history_status', `"status" IN ('pending', 'in_progress', 'completed', 'failed', 'canceled')`)
@Check('chk_task_history_attempts', `"attempt" >= 0 AND "max_attempts" >= 1`)
@Check('chk_task_history_timeout', `"timeout_seconds" >= 1`)
@Unique('uq_task_idempotency_key', ['idempotencyKey'])
@Index('idx_task_created', ['createdAt', 'taskId'])
// Partial indexes keep the dispatcher's and the deadline sweeper's scans to live tasks.
@Index('idx_task_undispatched', ['priority', 'createdAt'], { where: `status = 'pending' AND dispatched_at IS NULL` })
@Index('idx_task_deadline', ['deadline'], {
  where: `status IN ('pending', 'in_progress') AND dispatched_at IS NOT NULL`,
})
export class TaskHistoryEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'task_id' })
  taskId!: string;

  // History outlives agents: deregistering an agent keeps its tasks (agent_id becomes NULL).
  @Index('idx_task_agent')
  @Column({ name: 'agent_id', type: 'varchar', length: 20, nullable: true })
  agentId!: string | null;

  @Column({ name: 'task_title', type: 'varchar', length: 500, nullable: true })
  taskTitle!: string | null;

  @Column({ name: 'task_description', type: 'text', nullable: true })
  taskDescription!: string | null;

  @Index('idx_task_status')
  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status!: TaskStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The agent the submitter asked for (agent_id above is the one the current attempt went to). */
  @Column({ name: 'requested_agent_id', type: 'varchar', length: 20, nullable: true })
  requestedAgentId!: string | null;

  @Index('idx_task_role')
  @Column({ type: 'varchar', length: 50, nullable: true })
  role!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  capability!: string | null;

  @Column({ name: 'min_proficiency', type: 'integer', nullable: true })
  minProficiency!: number | null;

  @Column({ type: 'integer', default: 0 })
  priority!: number;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  input!: Record<string, unknown>;

  @Column({ name: 'timeout_seconds', type: 'integer', default: 300 })
  timeoutSeconds!: number;

  @Column({ name: 'max_attempts', type: 'integer', default: 3 })
  maxAttempts!: number;

  /** The current attempt; 0 until first dispatched. Results of other attempts never change the task. */
  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  @Index('idx_task_workflow_run')
  @Column({ name: 'workflow_run_id', type: 'uuid', nullable: true })
  workflowRunId!: string | null;

  @Column({ name: 'step_key', type: 'varchar', length: 300, nullable: true })
  stepKey!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt!: Date | null;

  /** W3C traceparent the task was accepted under (tracing). */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceparent!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'workflow_run_id', foreignKeyConstraintName: 'fk_task_history_workflow_run' })
  workflowRun?: Relation<WorkflowRunEntity>;

  @ManyToOne(() => AgentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_task_history_agent' })
  agent?: Relation<AgentEntity>;
}
