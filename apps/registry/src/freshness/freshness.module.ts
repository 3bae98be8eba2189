import { Module } from '@nestjs/common';
import { FreshnessStore } from './freshness.store';

/** Redis-side heartbeat freshness and reported load, shared by reads, heartbeats and liveness. */
@Module({ providers: [FreshnessStore], exports: [FreshnessStore] })
export class FreshnessModule {}
