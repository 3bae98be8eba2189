import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
  Relation,
} from 'typeorm';
import type { AgentStatus } from '@app/contracts';
import { AgentCapabilityEntity } from './agent-capability.entity';
import { AgentLoadEntity } from './agent-load.entity';

export { AGENT_STATUSES, AgentStatus } from '@app/contracts';

// Relation<> keeps decorator metadata from referencing a class that is still loading (circular imports).
@Entity({ name: 'agent_registry' })
@Check('chk_agent_registry_status', `"status" IN ('online', 'offline', 'busy', 'error')`)
@Check('chk_agent_registry_port', `"port" IS NULL OR ("port" BETWEEN 1 AND 65535)`)
export class AgentEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 20 })
  agentId!: string;

  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @Index('idx_agent_role')
  @Column({ type: 'varchar', length: 50 })
  role!: string;

  @Index('idx_agent_status')
  @Column({ type: 'varchar', length: 20, default: 'offline' })
  status!: AgentStatus;

  @Column({ type: 'varchar', length: 255, nullable: true })
  host!: string | null;

  @Column({ type: 'integer', nullable: true })
  port!: number | null;

  @Column({ name: 'last_heartbeat', type: 'timestamptz', nullable: true })
  lastHeartbeat!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  metadata!: Record<string, unknown>;

  @OneToMany(() => AgentCapabilityEntity, (c) => c.agent)
  capabilities?: Relation<AgentCapabilityEntity[]>;

  @OneToOne(() => AgentLoadEntity, (l) => l.agent)
  load?: Relation<AgentLoadEntity>;
}
