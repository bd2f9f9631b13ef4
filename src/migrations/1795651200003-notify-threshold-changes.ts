import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every committed change of a threshold NOTIFYs `risk_threshold_changes` with `<id>:<version>`
 * (`<id>:0` for a delete), from a trigger, so writes by any replica, import or hand reach every
 * replica's catalog; a replica that already holds that version skips the re-read.
 */
export class NotifyThresholdChanges1795651200003 implements MigrationInterface {
  name = 'NotifyThresholdChanges1795651200003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION "risk_thresholds_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('risk_threshold_changes', OLD.id::text || ':0');
        ELSE
          PERFORM pg_notify('risk_threshold_changes', NEW.id::text || ':' || NEW.version::text);
        END IF;
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
