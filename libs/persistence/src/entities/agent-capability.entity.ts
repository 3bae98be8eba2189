import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, Relation } from 'typeorm';
import { AgentEntity } from './agent.entity';

@Entity({ name: 'agent_capabilities' })
@Unique('uq_agent_capability', ['agentId', 'capability'])
@Check('chk_agent_capabilities_proficiency', `"proficiency_level" >= 1 AND "proficiency_level" <= 10`)
export class AgentCapabilityEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'agent_id', type: 'varchar', length: 20 })
  agentId!: string;

  @Index('idx_agent_capability')
  @Column({ type: 'varchar', length: 100 })
  capability!: string;

  @Column({ name: 'proficiency_level', type: 'integer' })
  proficiencyLevel!: number;

  @ManyToOne(() => AgentEntity, (a) => a.capabilities, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'fk_agent_capabilities_agent' })
  agent?: Relation<AgentEntity>;
}
