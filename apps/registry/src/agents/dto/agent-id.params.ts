import { ApiProperty } from '@nestjs/swagger';
import { Matches, MaxLength } from 'class-validator';
import { AGENT_ID_MAX, AGENT_ID_PATTERN, ROLE_MAX, ROLE_PATTERN } from '../agent-validation';

export class AgentIdParams {
  @ApiProperty({ example: 'DEV-001', pattern: AGENT_ID_PATTERN.source, maxLength: AGENT_ID_MAX })
  @MaxLength(AGENT_ID_MAX)
  @Matches(AGENT_ID_PATTERN, {
    message: 'agent_id must look like DEV-001 (uppercase letters/digits, a dash, three digits)',
  })
  agent_id!: string;
}

export class RoleParams {
  @ApiProperty({ example: 'backend_dev', pattern: ROLE_PATTERN.source, maxLength: ROLE_MAX })
  @MaxLength(ROLE_MAX)
  @Matches(ROLE_PATTERN, { message: 'role must be a snake_case identifier such as backend_dev' })
  role!: string;
}
