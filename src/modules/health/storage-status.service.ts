import { Injectable, Optional } from '@nestjs/common';
import { AppConfig, type StorageMode } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';

/** Whether answers may be stale: PostgreSQL storage whose database is currently unreachable. */
@Injectable()
export class StorageStatus {
  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly database?: DatabaseService,
  ) {}

  get mode(): StorageMode {
    return this.config.storage.mode;
  }

  get degraded(): boolean {
    return this.database !== undefined && !this.database.available;
  }
}
