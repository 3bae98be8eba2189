import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ListAgentsQuery } from '../agents/dto/list-agents.query';

/** GET /api/agents/cards: the agent list's filters, with `skill` (a capability) and its minimum proficiency. */
export class ListCardsQuery extends ListAgentsQuery {
  @ApiPropertyOptional({ example: 'api_design', description: 'A skill id (a capability)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  skill?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  min_proficiency?: number;
}
