import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { thresholdFromJson, thresholdToJson, type Threshold } from '@app/modules/thresholds/domain/threshold';

const fileSchema = z.object({
  format: z.literal('risk-threshold-snapshot/1'),
  saved_at: z.iso.datetime(),
  thresholds: z.array(z.record(z.string(), z.unknown())).min(1),
});

/**
 * The warm-start file: the last good catalog, written atomically (temp file + rename, mode 0600)
 * and never empty, read back when the database is unreachable at start.
 */
export class SnapshotFile {
  constructor(private readonly path: string) {}

  async save(thresholds: readonly Threshold[]): Promise<void> {
    if (thresholds.length === 0) return;
    const content = JSON.stringify({
      format: 'risk-threshold-snapshot/1',
      saved_at: new Date().toISOString(),
      thresholds: thresholds.map(thresholdToJson),
    });
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, content, { mode: 0o600 });
    await rename(temp, this.path);
  }

  /** The saved thresholds and when they were saved; undefined when there is no usable file. */
  async load(): Promise<{ thresholds: Threshold[]; savedAt: Date } | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) return undefined;
    return { thresholds: result.data.thresholds.map(thresholdFromJson), savedAt: new Date(result.data.saved_at) };
  }
}
