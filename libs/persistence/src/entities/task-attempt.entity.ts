import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Relation } from 'typeorm';
import { TaskHistoryEntity } from './task-history.entity';

export const TASK_ATTEMPT_STATUSES = [
  'dispatched',
  'in_progress',
  'completed',
  'failed',
  'canceled',
  'timed_out',
] as const;
export type TaskAttemptStatus = (typeof TASK_ATTEMPT_STATUSES)[number];

/** One dispatch of a task to one agent. agent_id has no foreign key: history outlives agents. */
@Entity({ name: 'task_attempts' })
@Check(
  'chk_task_attempts_status',
  `"status" IN ('dispatched', 'in_progress', 'completed', 'failed', 'canceled', 'timed_out')`,
)
export class TaskAttemptEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @PrimaryColumn({ type: 'integer' })
  attempt!: number;

  @Column({ name: 'agent_id', type: 'varchar', length: 20 })
  agentId!: string;

  @Column({ type: 'varchar', length: 20, default: 'dispatched' })
  status!: TaskAttemptStatus;

  @Column({ name: 'dispatched_at', type: 'timestamptz' })
  dispatchedAt!: Date;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  model!: string | null;

  @Column({ name: 'input_tokens', type: 'integer', nullable: true })
  inputTokens!: number | null;

  @Column({ name: 'output_tokens', type: 'integer', nullable: true })
  outputTokens!: number | null;

  @ManyToOne(() => TaskHistoryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_task_attempts_task' })
  task?: Relation<TaskHistoryEntity>;
}
