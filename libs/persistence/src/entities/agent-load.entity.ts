import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn, Relation } from 'typeorm';
import { AgentEntity } from './agent.entity';

@Entity({ name: 'agent_load' })
@Check('chk_agent_load_current', `"current_tasks" >= 0`)
@Check('chk_agent_load_max', `"max_tasks" >= 1`)
@Check('chk_agent_load_completed', `"total_tasks_completed" >= 0`)
export class AgentLoadEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 20 })
  agentId!: string;

  @Column({ name: 'current_tasks', type: 'integer', default: 0 })
  currentTasks!: number;

  @Column({ name: 'max_tasks', type: 'integer', default: 3 })
  maxTasks!: number;

  @Column({ name: 'avg_task_duration_sec', type: 'double precision', nullable: true })
  avgTaskDurationSec!: number | null;

  @Column({ name: 'total_tasks_completed', type: 'integer', default: 0 })
  totalTasksCompleted!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @OneToOne(() => AgentEntity, (a) => a.load, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_agent_load_agent' })
  agent?: Relation<AgentEntity>;
}
