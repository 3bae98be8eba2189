import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Relation,
} from 'typeorm';
import { WorkflowRunEntity } from './workflow-run.entity';

/** One step of a run's progress, replayed by the run's event stream. */
@Entity({ name: 'workflow_events' })
@Index('idx_workflow_events_run', ['runId', 'id'])
export class WorkflowEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_workflow_events' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ type: 'varchar', length: 30 })
  type!: string;

  @Column({ name: 'step_key', type: 'varchar', length: 300, nullable: true })
  stepKey!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_workflow_events_run' })
  run?: Relation<WorkflowRunEntity>;
}
