import { Client } from 'pg';

/** Drops the template and any test database left behind, then stops a server we started. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis.rtsPostgres;
  if (!state) return;
  // Once, whichever project's teardown comes first.
  globalThis.rtsPostgres = undefined;
  const client = new Client({ connectionString: state.server.adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${state.template}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await state.server.stop();
}
