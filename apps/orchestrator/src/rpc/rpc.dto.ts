import { IsObject, IsUUID, Matches } from 'class-validator';

export class TaskRefDto {
  @IsUUID()
  task_id!: string;
}

export class RunRefDto {
  @IsUUID()
  run_id!: string;
}

export class StartWorkflowDto {
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'name must be a snake_case workflow name such as mcq_generation' })
  name!: string;

  @IsObject()
  input!: Record<string, unknown>;
}
