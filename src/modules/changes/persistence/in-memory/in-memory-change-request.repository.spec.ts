import { InMemoryChangeRequestRepository } from '@app/modules/changes/persistence/in-memory/in-memory-change-request.repository';
import { changeRequestRepositoryContract } from '@test/support/change-request-repository.contract';

changeRequestRepositoryContract('in-memory', async () => new InMemoryChangeRequestRepository());
