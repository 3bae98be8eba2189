import { IsInt, IsUUID, Matches, Min } from 'class-validator';
import { AGENT_ID_PATTERN } from './agent-id';

/** payload of task.progress: the attempt is still being worked on (its heartbeat deadline moves on). */
export class TaskProgressMessage {
  @IsUUID()
  task_id!: string;

  @IsInt()
  @Min(1)
  attempt!: number;

  @Matches(AGENT_ID_PATTERN)
  agent_id!: string;
}
