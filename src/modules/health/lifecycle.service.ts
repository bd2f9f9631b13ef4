import { Injectable } from '@nestjs/common';

/** Process lifecycle facts that probes report: set when a graceful shutdown begins. */
@Injectable()
export class LifecycleService {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
  }
}
