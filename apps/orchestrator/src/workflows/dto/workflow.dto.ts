import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { BudgetDto } from '../../tasks/dto/budget.dto';

export class StartRunDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { topics: ['atrial fibrillation', 'community-acquired pneumonia'] },
  })
  @IsObject()
  input!: Record<string, unknown>;

  @ApiPropertyOptional({ type: BudgetDto, description: "Limits on the run's model spend (default: the workflow's)" })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BudgetDto)
  budget?: BudgetDto;
}

export class ResumeRunDto {
  @ApiProperty({ example: 'approve', description: 'One of the decisions the waiting approval step offers' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'decision must be a snake_case word such as approve' })
  decision!: string;

  @ApiPropertyOptional({ example: 'Looks good, ship it' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class WorkflowNameParams {
  @ApiProperty({ example: 'mcq_generation' })
  @Matches(/^[a-z][a-z0-9_]{0,99}$/, { message: 'name must be a snake_case workflow name such as mcq_generation' })
  name!: string;
}

export class RunIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  run_id!: string;
}

export class WorkflowVersionParams extends WorkflowNameParams {
  @ApiProperty({ example: 1, minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  version!: number;
}
