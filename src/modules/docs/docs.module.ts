import { Module } from '@nestjs/common';
import { DocsController } from '@app/modules/docs/docs.controller';

@Module({ controllers: [DocsController] })
export class DocsModule {}
