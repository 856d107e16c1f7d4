package io.github.s3recon.spi;

import io.github.s3recon.ObjectEntry;
import java.util.stream.Stream;

/**
 * Durable storage of listings (inventories) in the work directory, able to hand an inventory back
 * sorted by the keys' UTF-8 bytes whatever order it was written in (an external sort). The engine
 * uses it for listings that a server did not return in UTF-8 order, and for S3 Inventory files.
 *
 * <p>An inventory is named; writing a name replaces what it held. Memory must not grow with the
 * number of entries. Implementations are thread-safe: different inventories may be written and
 * read at once. The default, {@code SqliteInventoryStore} in {@code s3recon-inventory}, is found
 * through {@link InventoryStoreProvider}.
 *
 * <p>Every implementation should pass the testkit's {@code InventoryStoreContract}.
 */
public interface InventoryStore extends AutoCloseable {

    /**
     * Opens a writer that replaces the inventory {@code name}; entries may come in any order. What
     * is written becomes visible when the writer is closed.
     *
     * @param name the inventory's name; not null, not empty
     * @return the writer; the caller closes it
     */
    Writer writer(String name);

    /**
     * Reads an inventory in ascending order of the keys' UTF-8 bytes. A key written twice is
     * read once, with the entry written last.
     *
     * @param name the inventory's name; not null
     * @return the entries; empty for an unknown name; the caller closes the stream
     */
    Stream<ObjectEntry> readSorted(String name);

    /**
     * Returns the number of entries in an inventory.
     *
     * @param name the inventory's name; not null
     * @return the count; 0 for an unknown name
     */
    long count(String name);

    /**
     * Deletes an inventory; does nothing for an unknown name.
     *
     * @param name the inventory's name; not null
     */
    void delete(String name);

    /** Closes the store; its data stays in the work directory. */
    @Override
    void close();

    /**
     * Appends entries to an inventory. Not thread-safe: one thread writes through one writer.
     */
    interface Writer extends AutoCloseable {

        /**
         * Adds an entry; batched, so it may not be durable before {@link #close()}.
         *
         * @param entry the entry; not null
         */
        void add(ObjectEntry entry);

        /** Commits what was added and makes it visible to readers. */
        @Override
        void close();
    }
}
