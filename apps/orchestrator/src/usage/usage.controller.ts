import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { RequireScopes } from '@app/auth';
import { UsageGroup, UsageRepository } from './usage.repository';

export class UsageQuery {
  @ApiPropertyOptional({ enum: ['agent', 'model', 'workflow'], default: 'agent' })
  @IsOptional()
  @IsIn(['agent', 'model', 'workflow'])
  group_by?: UsageGroup;

  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'Only attempts finished since then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}

@ApiTags('usage')
@Controller('api/usage')
export class UsageController {
  constructor(private readonly usage: UsageRepository) {}

  @Get()
  @RequireScopes('tasks:read')
  @ApiOperation({ summary: 'Token usage and cost totals by agent, model or workflow' })
  async totals(@Query() query: UsageQuery) {
    const group = query.group_by ?? 'agent';
    const rows = await this.usage.grouped(group, query.since ? new Date(query.since) : null);
    return { group_by: group, totals: rows.map(({ key, ...t }) => ({ [group]: key, ...t })) };
  }
}
