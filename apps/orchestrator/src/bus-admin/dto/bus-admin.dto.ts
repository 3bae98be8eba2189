import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** A bus address: an agent id, `orchestrator`, `orchestrator.results`, `ALL`. */
export class AddressParams {
  @ApiProperty({
    example: 'orchestrator',
    pattern: '^[A-Za-z0-9_.:-]{1,128}$',
    description: 'an agent id, `orchestrator`, `orchestrator.results` or `ALL`',
  })
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'address must be 1-128 of letters, digits, _ . : -' })
  address!: string;
}

const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

export class ListDeadLettersQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  count?: number;

  @ApiPropertyOptional({ description: 'the last id of the previous page' })
  @IsOptional()
  @Matches(ENTRY_ID, { message: 'after must be a stream entry id like 1700000000000-0' })
  after?: string;
}

export class DeadLetterIdsDto {
  @ApiPropertyOptional({ type: [String], description: 'dead-letter entry ids; omitted = all of them' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(ENTRY_ID, { each: true, message: 'ids must be stream entry ids like 1700000000000-0' })
  ids?: string[];
}
