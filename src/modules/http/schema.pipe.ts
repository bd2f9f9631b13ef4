import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationError } from '@app/modules/thresholds/domain/errors';
import { check } from '@app/modules/thresholds/domain/threshold.rules';

/**
 * Validates a request part with a zod schema and hands the parsed value to the handler; on
 * failure throws a `ValidationError` listing every invalid field. `prefix` places the paths,
 * e.g. `/id` for a path parameter.
 */
export class SchemaPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly prefix = '',
    private readonly what = 'The request',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = check(this.schema, value, this.prefix);
    if (!result.ok) throw new ValidationError(result.violations, `${this.what} is invalid.`);
    return result.value;
  }
}

export const bodyPipe = <S extends z.ZodType>(schema: S): SchemaPipe<S> =>
  new SchemaPipe(schema, '', 'The request body');
export const queryPipe = <S extends z.ZodType>(schema: S): SchemaPipe<S> =>
  new SchemaPipe(schema, '', 'The query string');
export const paramPipe = <S extends z.ZodType>(name: string, schema: S): SchemaPipe<S> =>
  new SchemaPipe(schema, `/${name}`, `The path parameter '${name}'`);
