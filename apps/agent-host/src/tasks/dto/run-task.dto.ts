import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

/** The seed's `POST /task` body (its AgentTask fields a caller sets). */
export class RunTaskDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Generated when omitted' })
  @IsOptional()
  @IsUUID()
  task_id?: string;

  @ApiProperty({ example: 'Design the patient intake API', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  title!: string;

  @ApiPropertyOptional({ example: 'REST endpoints for intake forms with validation', maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({
    description:
      'Free-form task input (e.g. `scripted: {latency_ms}` steers the scripted provider, `consult` asks other agents)',
    example: {},
  })
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;
}

export class AgentIdParam {
  @ApiProperty({ example: 'DEV-001' })
  @Matches(/^[A-Z][A-Z0-9]*-[0-9]{3}$/, {
    message: 'agent_id must look like DEV-001 (uppercase letters/digits, a dash, three digits)',
  })
  agent_id!: string;
}
