/**
 * `npm run bench`: the cost of observability on the hot path. `POST /v1/risk/classify` against two
 * instances of the built service, alike but for observability: one with request logs (info) and
 * HTTP metrics, one with neither (LOG_LEVEL=error, METRICS_ENABLED=false). Alternating rounds,
 * same run, loopback only, a fixed number of requests. Reports the throughput ratio.
 */
import { SERVICE_ADMIN_KEY, startServiceProcess, type ServiceProcess } from '@test/support/service-process';
import { jsonClient, median, throughput } from './support/load';

const CONCURRENCY = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const ROUNDS = 5;
const WARMUP = 5000;

it('classify with logging + metrics on vs off', async () => {
  const common = { NODE_ENV: 'production', STORAGE: 'memory', SHUTDOWN_DELAY_MS: '0' };
  const on: ServiceProcess = await startServiceProcess(
    { ...common, LOG_LEVEL: 'info', METRICS_ENABLED: 'true' },
    { from: 'dist' },
  );
  const off: ServiceProcess = await startServiceProcess(
    { ...common, LOG_LEVEL: 'error', METRICS_ENABLED: 'false' },
    { from: 'dist' },
  );
  const clients = {
    on: await jsonClient(on.baseUrl, CONCURRENCY, `Bearer ${SERVICE_ADMIN_KEY}`),
    off: await jsonClient(off.baseUrl, CONCURRENCY, `Bearer ${SERVICE_ADMIN_KEY}`),
  };
  try {
    const classify =
      (client: typeof clients.on) =>
      async (i: number): Promise<void> => {
        const status = await client.post('/v1/risk/classify', {
          score: i % 101,
          category: 'financial',
          industry_code: '5221',
        });
        if (status !== 200) throw new Error(`unexpected status ${status}`);
      };
    await throughput(WARMUP, CONCURRENCY, classify(clients.on));
    await throughput(WARMUP, CONCURRENCY, classify(clients.off));
    const perRound = Math.ceil(REQUESTS / ROUNDS);
    const withObs: number[] = [];
    const without: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await throughput(perRound, CONCURRENCY, classify(clients.off)));
      withObs.push(await throughput(perRound, CONCURRENCY, classify(clients.on)));
    }
    const ratio = median(withObs) / median(without);
    process.stdout.write(
      [
        '',
        `classify throughput, ${CONCURRENCY} in flight, ${perRound * ROUNDS} requests each, median of ${ROUNDS} alternating rounds`,
        `  logging + metrics off (baseline): ${median(without).toFixed(0)} req/s  (rounds ${without.map((x) => x.toFixed(0)).join(', ')})`,
        `  logging + metrics on:             ${median(withObs).toFixed(0)} req/s  (rounds ${withObs.map((x) => x.toFixed(0)).join(', ')})`,
        `  ratio on / off:                   ${ratio.toFixed(2)} (observability costs ${((1 - ratio) * 100).toFixed(0)}%)`,
        '',
      ].join('\n'),
    );
    expect(ratio).toBeGreaterThan(0);
  } finally {
    await Promise.all([clients.on.close(), clients.off.close()]);
    await Promise.all([on.stop(), off.stop()]);
  }
}, 600_000);
