import { lastDayOf, type Observation, type WindowObservation } from '@app/modules/observations/domain/observation';
import { ObservationStore, type ObservationQuery } from '@app/modules/observations/persistence/observation.store';

const keyOf = (o: Omit<Observation, 'count' | 'day'>): string =>
  `${o.category}\u0000${o.industryCode}\u0000${o.businessType}\u0000${o.score}`;

/** Memory storage: the counts stay in the process (lost when it stops, like the thresholds). */
export class InMemoryObservationStore extends ObservationStore {
  private readonly days = new Map<string, Map<string, Observation>>();

  async add(observations: readonly Observation[]): Promise<void> {
    for (const o of observations) {
      let day = this.days.get(o.day);
      if (!day) this.days.set(o.day, (day = new Map<string, Observation>()));
      const key = keyOf(o);
      const stored = day.get(key);
      if (stored) stored.count += o.count;
      else day.set(key, { ...o });
    }
  }

  async window(q: ObservationQuery): Promise<WindowObservation[]> {
    const summed = new Map<string, WindowObservation>();
    for (const [day, rows] of this.days) {
      if (day < q.from || day > q.to) continue;
      for (const o of rows.values()) {
        if (q.category !== undefined && o.category !== q.category) continue;
        if (q.industryCode !== undefined && !o.industryCode.startsWith(q.industryCode)) continue;
        if (q.businessType !== undefined && o.businessType !== q.businessType) continue;
        const key = keyOf(o);
        const seen = summed.get(key);
        if (seen) seen.count += o.count;
        else {
          summed.set(key, {
            category: o.category,
            industryCode: o.industryCode,
            businessType: o.businessType,
            score: o.score,
            count: o.count,
          });
        }
      }
    }
    return [...summed.values()];
  }

  async prune(before: string): Promise<string[]> {
    // Whole months, as the PostgreSQL store drops partitions: a month goes once its last day is older.
    const removed = new Set<string>();
    for (const day of [...this.days.keys()]) {
      const month = day.slice(0, 7);
      if (lastDayOf(month) < before) {
        this.days.delete(day);
        removed.add(month);
      }
    }
    return [...removed].sort();
  }

  async prepare(): Promise<void> {
    // Nothing to prepare in memory.
  }
}
