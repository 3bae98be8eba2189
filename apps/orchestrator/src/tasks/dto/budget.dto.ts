import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsPositive, Max, Min, ValidateIf } from 'class-validator';

/** Absent is no limit; null is not a number (the pipe drops top-level nulls only, and a null limit would stop at 0). */
const unlessAbsent = () => ValidateIf((_o, v) => v !== undefined);

/**
 * `budget` of a task or workflow run: reaching a limit stops further model calls (`budget_exceeded`). The contract
 * is SUBMIT_BUDGET_SCHEMA (@app/contracts, part of TASK_SUBMIT_SCHEMA); create-task.dto.spec.ts checks they agree.
 */
export class BudgetDto {
  @ApiPropertyOptional({ minimum: 1, example: 20000, description: 'Input + output tokens at most' })
  @unlessAbsent()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  max_tokens?: number;

  @ApiPropertyOptional({ example: 0.5, description: 'USD at most, by the price table' })
  @unlessAbsent()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  max_cost_usd?: number;
}
