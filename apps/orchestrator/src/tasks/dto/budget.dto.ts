import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsPositive, Max, Min } from 'class-validator';
import { isInt, isPlainObject, onlyKeys, optional } from '@app/contracts';

/** `budget` of a task or workflow run: reaching a limit stops further model calls (`budget_exceeded`). */
export class BudgetDto {
  @ApiPropertyOptional({ minimum: 1, example: 20000, description: 'Input + output tokens at most' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  max_tokens?: number;

  @ApiPropertyOptional({ example: 0.5, description: 'USD at most, by the price table' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000)
  max_cost_usd?: number;

  private static readonly keys = new Set(['max_tokens', 'max_cost_usd']);

  static fastCheck(v: unknown): boolean {
    return (
      isPlainObject(v) &&
      onlyKeys(v, BudgetDto.keys) &&
      optional(v.max_tokens, (n) => isInt(n, 1, 1_000_000_000)) &&
      optional(v.max_cost_usd, (n) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 1_000_000)
    );
  }
}
