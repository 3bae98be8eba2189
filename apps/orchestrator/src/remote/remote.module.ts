import { Module } from '@nestjs/common';
import { CancelSignals } from '@app/persistence';
import { TasksModule } from '../tasks/tasks.module';
import { RemoteAttempts } from './remote-attempt.service';
import { RemoteBridge } from './remote-bridge.service';
import { RemoteClients } from './remote-clients';
import { RemoteDirectory } from './remote-directory';
import { RemoteMetricsModule } from './remote-metrics';

/** The bridge from agent streams to outside A2A agents (docs/decisions/0102). */
@Module({
  imports: [TasksModule, RemoteMetricsModule],
  providers: [CancelSignals, RemoteDirectory, RemoteClients, RemoteAttempts, RemoteBridge],
  exports: [RemoteBridge],
})
export class RemoteModule {}
