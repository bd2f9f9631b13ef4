import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemFilter } from '@app/modules/http/problem.filter';

/** Cross-cutting HTTP concerns: the problem+json filter for every error. */
@Module({ providers: [{ provide: APP_FILTER, useClass: ProblemFilter }] })
export class HttpModule {}
