import { InMemoryThresholdRepository } from '@app/modules/thresholds/persistence/in-memory/in-memory-threshold.repository';
import { thresholdRepositoryContract } from '@test/support/threshold-repository.contract';

thresholdRepositoryContract('in-memory', async (initial) => new InMemoryThresholdRepository(initial));
