import { InMemoryObservationStore } from '@app/modules/observations/persistence/in-memory/in-memory-observation.store';
import { observationStoreContract } from '@test/support/observation-store.contract';

observationStoreContract('in-memory', async () => new InMemoryObservationStore());
