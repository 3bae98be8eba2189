import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AgentEntity } from './agent.entity';

export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

@Entity({ name: 'task_history' })
@Check('chk_task_history_status', `"status" IN ('pending', 'in_progress', 'completed', 'failed', 'canceled')`)
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

  @ManyToOne(() => AgentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_task_history_agent' })
  agent?: AgentEntity;
}
