import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const WORKFLOW_RUN_STATUSES = ['running', 'input_required', 'completed', 'failed', 'canceled'] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

/** One run of a declarative workflow; `state` is the engine's resumable cursor. */
@Entity({ name: 'workflow_runs' })
@Check('chk_workflow_runs_status', `"status" IN ('running', 'input_required', 'completed', 'failed', 'canceled')`)
export class WorkflowRunEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Index('idx_workflow_runs_workflow')
  @Column({ type: 'varchar', length: 100 })
  workflow!: string;

  /** The definition version the run started with and finishes on. */
  @Column({ name: 'workflow_version', type: 'integer', nullable: true })
  workflowVersion!: number | null;

  @Index('idx_workflow_runs_status')
  @Column({ type: 'varchar', length: 20 })
  status!: WorkflowRunStatus;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  input!: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  state!: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** W3C traceparent of the run's `workflow.run` span (tracing). */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceparent!: string | null;
}
