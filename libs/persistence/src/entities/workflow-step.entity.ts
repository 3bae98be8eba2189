import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Relation,
  UpdateDateColumn,
} from 'typeorm';
import { WorkflowRunEntity } from './workflow-run.entity';

export const WORKFLOW_STEP_STATUSES = [
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'canceled',
  'skipped',
] as const;
export type WorkflowStepStatus = (typeof WORKFLOW_STEP_STATUSES)[number];

/** One visit of one step of a run (a loop's second visit is its own row). */
@Entity({ name: 'workflow_steps' })
@Check(
  'chk_workflow_steps_status',
  `"status" IN ('running', 'waiting_approval', 'completed', 'failed', 'canceled', 'skipped')`,
)
export class WorkflowStepEntity {
  @PrimaryColumn({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @PrimaryColumn({ name: 'step_key', type: 'varchar', length: 300 })
  stepKey!: string;

  @Column({ name: 'step_id', type: 'varchar', length: 100 })
  stepId!: string;

  @Column({ type: 'varchar', length: 200 })
  frame!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: string;

  @Column({ type: 'integer', default: 1 })
  visit!: number;

  @Column({ name: 'item_index', type: 'integer', nullable: true })
  itemIndex!: number | null;

  @Column({ type: 'varchar', length: 20 })
  status!: WorkflowStepStatus;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

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

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_workflow_steps_run' })
  run?: Relation<WorkflowRunEntity>;
}
