import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change of a threshold NOTIFYs `risk_threshold_changes` with its id, from a
 * trigger, so writes by any replica, import or hand reach every replica's catalog.
 */
export class NotifyThresholdChanges1795651200003 implements MigrationInterface {
  name = 'NotifyThresholdChanges1795651200003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION "risk_thresholds_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('risk_threshold_changes', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END
      $$
    `);
    await q.query(`
      CREATE TRIGGER "risk_thresholds_notify" AFTER INSERT OR UPDATE OR DELETE ON "risk_thresholds"
      FOR EACH ROW EXECUTE FUNCTION "risk_thresholds_notify"()
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "risk_thresholds_notify" ON "risk_thresholds"`);
    await q.query(`DROP FUNCTION "risk_thresholds_notify"()`);
  }
}
