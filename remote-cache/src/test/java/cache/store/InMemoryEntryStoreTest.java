package cache.store;

class InMemoryEntryStoreTest extends EntryStoreContract {

    private final InMemoryEntryStore store = new InMemoryEntryStore(EntryCodec.defaults());

    @Override
    EntryStore store() {
        return store;
    }
}
