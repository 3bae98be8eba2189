import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Whether this process is draining. Nest runs onModuleDestroy before beforeApplicationShutdown,
 * so readiness turns false before any module starts draining its work.
 */
@Injectable()
export class LifecycleState implements OnModuleDestroy {
  private drainingSince: Date | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  startDraining(): void {
    this.drainingSince ??= new Date();
  }

  onModuleDestroy(): void {
    this.startDraining();
  }
}
