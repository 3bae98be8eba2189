import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BusAdminService } from './bus-admin.service';
import { AddressParams, DeadLetterIdsDto, ListDeadLettersQuery } from './dto/bus-admin.dto';
import { RequireScopes } from '@app/auth';

@ApiTags('bus')
@Controller('api/bus/streams/:address')
export class BusAdminController {
  constructor(private readonly bus: BusAdminService) {}

  @Get()
  @RequireScopes('bus:admin')
  @ApiOperation({ summary: 'Stream length, dead letters and consumer groups (pending, lag) of one bus address' })
  stats(@Param() params: AddressParams) {
    return this.bus.stats(params.address);
  }

  @Get('dead-letters')
  @RequireScopes('bus:admin')
  @ApiOperation({ summary: 'Dead-lettered entries with reason, error, attempts and the original message' })
  deadLetters(@Param() params: AddressParams, @Query() query: ListDeadLettersQuery) {
    return this.bus.deadLetters(params.address, query.count ?? 50, query.after);
  }

  // Replay and purge change Redis only: there is no PostgreSQL transaction to share, so their audit
  // row is written by the edge (AuditHook) right after the change, with its final status.
  @Post('dead-letters/replay')
  @RequireScopes('bus:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put dead letters back on their stream (all, or the given ids)' })
  replay(@Param() params: AddressParams, @Body() body: DeadLetterIdsDto) {
    return this.bus.replay(params.address, body.ids);
  }

  @Post('dead-letters/purge')
  @RequireScopes('bus:admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete dead letters (all, or the given ids)' })
  purge(@Param() params: AddressParams, @Body() body: DeadLetterIdsDto) {
    return this.bus.purge(params.address, body.ids);
  }
}
