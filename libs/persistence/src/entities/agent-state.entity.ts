import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn, Relation } from 'typeorm';
import { AgentEntity } from './agent.entity';

/** The seed's state store: one JSON document per agent, restored when its host restarts. */
@Entity({ name: 'agent_state' })
export class AgentStateEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 20 })
  agentId!: string;

  @Column({ type: 'jsonb' })
  state!: Record<string, unknown>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @OneToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_agent_state_agent' })
  agent?: Relation<AgentEntity>;
}
