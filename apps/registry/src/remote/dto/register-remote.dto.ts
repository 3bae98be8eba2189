import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { OUTPUT_KINDS } from '@app/agents';
import { AGENT_ID_MAX, AGENT_ID_PATTERN, MAX_TASKS_LIMIT, ROLE_MAX, ROLE_PATTERN } from '../../agents/agent-validation';

/** POST /api/agents/remote: an outside A2A agent joins the team by its card URL. */
export class RegisterRemoteAgentDto {
  @ApiProperty({ example: 'https://agents.example.com/.well-known/agent-card.json' })
  @IsString()
  @Length(1, 2048)
  card_url!: string;

  @ApiPropertyOptional({
    example: 'EXT-007',
    description: 'Id to register under; the next free EXT-nnn (or the id this card URL already has) when omitted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(AGENT_ID_MAX)
  @Matches(AGENT_ID_PATTERN, {
    message: 'agent_id must look like EXT-001 (uppercase letters/digits, a dash, three digits)',
  })
  agent_id?: string;

  @ApiPropertyOptional({
    example: 'backend_dev',
    description: 'Role to route by; else from the skills or A2A_REMOTE_DEFAULT_ROLE',
  })
  @IsOptional()
  @IsString()
  @MaxLength(ROLE_MAX)
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case identifier such as backend_dev' })
  role?: string;

  @ApiPropertyOptional({ enum: OUTPUT_KINDS, description: 'What its results are validated as; else from the skills' })
  @IsOptional()
  @IsIn(OUTPUT_KINDS)
  output_kind?: string;

  @ApiPropertyOptional({
    example: { python: 'code_implementation' },
    description: 'Skill id or tag → capability, over A2A_REMOTE_CAPABILITY_MAP',
  })
  @IsOptional()
  @IsObject()
  capability_map?: Record<string, string>;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_TASKS_LIMIT,
    description: 'Tasks it gets at once (A2A_REMOTE_MAX_TASKS)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TASKS_LIMIT)
  max_tasks?: number;
}
