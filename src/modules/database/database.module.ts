import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { DatabaseConfig } from '@app/modules/config/app-config';
import { DatabaseService } from '@app/modules/database/database.service';

/** The PostgreSQL connection, opened by our own code (not `TypeOrmModule`) so later work can own retries. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(db: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DatabaseService, useFactory: () => DatabaseService.start(db) }],
      exports: [DatabaseService],
    };
  }
}
