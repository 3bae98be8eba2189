import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';

/** Token and cost accounting over the recorded attempts (the hosts price each call). */
@Module({
  controllers: [UsageController],
  providers: [UsageRepository],
  exports: [UsageRepository],
})
export class UsageModule {}
