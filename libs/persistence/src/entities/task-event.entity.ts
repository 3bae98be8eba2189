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
import { TaskHistoryEntity } from './task-history.entity';

/** One change of a task (accepted, dispatched, started, completed, ...), written with the change itself. */
@Entity({ name: 'task_events' })
@Index('idx_task_events_task', ['taskId', 'id'])
export class TaskEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_task_events' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'integer', default: 0 })
  attempt!: number;

  @Column({ type: 'varchar', length: 30 })
  type!: string;

  /** The task's status after this event. */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ name: 'agent_id', type: 'varchar', length: 20, nullable: true })
  agentId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => TaskHistoryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_task_events_task' })
  task?: Relation<TaskHistoryEntity>;
}
