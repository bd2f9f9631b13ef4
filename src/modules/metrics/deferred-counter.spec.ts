import { Counter, Registry } from 'prom-client';
import { deferredCounter } from '@app/modules/metrics/deferred-counter';

function counter(registry: Registry): Counter<'category' | 'level'> {
  return new Counter({ name: 'c_total', help: 'h', labelNames: ['category', 'level'], registers: [registry] });
}

describe('deferredCounter', () => {
  it('exports what counting straight into prom-client exports, at every read', async () => {
    const [direct, deferred] = [new Registry(), new Registry()];
    const reference = counter(direct);
    const series = deferredCounter(counter(deferred));
    const seen = [
      ['financial', 'low'],
      ['financial', 'high'],
      ['cybersecurity', 'low'],
      ['financial', 'low'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [i, [category, level]] of seen.entries()) {
        for (let n = 0; n <= i + round; n++) {
          reference.labels(category, level).inc();
          series(category, level).inc();
        }
      }
      // Read twice: a second read must not count the pending numbers again.
      expect(await deferred.metrics()).toBe(await direct.metrics());
      expect(await deferred.metrics()).toBe(await direct.metrics());
    }
  });
});
