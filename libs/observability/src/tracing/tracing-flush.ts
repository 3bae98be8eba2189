import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './tracing';

/** Exports the spans still buffered when the app shuts down (the last task's spans would be lost otherwise). */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}
