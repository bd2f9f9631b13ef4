import { Module } from '@nestjs/common';
import { DemoController } from '@app/modules/demo/demo.controller';
import { DemoService } from '@app/modules/demo/demo.service';
@Module({ controllers: [DemoController], providers: [DemoService] })
export class AppModule {}
