import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsUUID, Matches, ValidateNested } from 'class-validator';
import { BudgetDto } from '../tasks/dto/budget.dto';

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

  /** Replaces the definition's default budget, as `budget` of `POST /api/workflows/{name}/runs` does. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BudgetDto)
  budget?: BudgetDto;
}
