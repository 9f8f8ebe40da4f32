package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockException;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A space filled to its {@code maxDocumentSize}, on the real server: further grants are refused with a clear message
 * before anything is written, and the space stays readable and writable by every manager (each with a store of its
 * own, as separate processes have) throughout. On MySQL this is the edge where the server's rendering of the
 * {@code JSON} column (a space after every {@code :} and {@code ,}) is longer than the text written.
 */
class DocumentSizeIT {

    private static final int LIMIT = 16 * 1024;

    private final TestDatabase db = TestDatabase.get();

    private LockManager manager(String space, String task) {
        JdbiLockStore store = JdbiLockStore.create(db.dataSource());
        store.createSchema();
        return LockManager.builder(store).space(space).holder(Holder.currentProcess(task)).maxDocumentSize(LIMIT)
                .build();
    }

    @Test
    void aFullSpaceRefusesGrantsClearlyAndStaysReadableAndWritableByEveryone() throws Exception {
        String space = TestDatabase.newSpace("size-edge");
        LockManager filler = manager(space, "filler");
        LockManager other = manager(space, "other");
        List<Lease> leases = new ArrayList<>();
        LockException refusal = null;
        int longestStored = 0;
        try {
            // one lease per name, as tasks hold them: every grant adds a grant group
            for (int i = 0; i < 1_000 && refusal == null; i++) {
                try {
                    leases.add(filler.acquire(LockRequest.exclusive(String.format("app:%04d:", i) + "x".repeat(40)),
                            Duration.ofSeconds(5)));
                } catch (LockException e) {
                    refusal = e;
                }
                // another process reads the space after every grant, as the server returns it
                assertEquals(leases.size(), other.snapshot().grants().size());
                longestStored = Math.max(longestStored, storedLength(space));
            }
            assertNotNull(refusal, "1,000 grants of 50-character names fit into " + LIMIT + " characters?");
            assertFalse(refusal instanceof CorruptLockStateException, refusal.toString());
            assertTrue(refusal.getMessage().contains("over its limit of " + LIMIT + " (maxDocumentSize); nothing was"
                    + " written"), refusal.getMessage());
            assertTrue(leases.size() > 100, "only " + leases.size() + " grants fit");
            System.out.println("size edge on " + db.product() + ": " + leases.size() + " leases fit into "
                    + LIMIT + " characters; the longest stored text the server returned: " + longestStored
                    + " characters");

            // the other process is refused the same way, and still reads
            long version = storedVersion(space);
            LockException refusedToo = assertThrows(LockException.class,
                    () -> other.tryAcquire(LockRequest.exclusive("other:1")));
            assertTrue(refusedToo.getMessage().contains("(maxDocumentSize); nothing was written"),
                    refusedToo.getMessage());
            assertEquals(version, storedVersion(space), "a refused grant writes nothing");
            assertEquals(leases.size(), other.snapshot().grants().size());

            // releases go through in a full space, and free room for others (a new holder's record needs about
            // twice a grant's room)
            for (int i = 0; i < 4; i++) {
                Lease released = leases.remove(0);
                released.close();
                assertFalse(released.isHeld());
                assertEquals(leases.size(), other.snapshot().grants().size());
            }
            try (Lease taken = other.acquire(LockRequest.exclusive("other:1"), Duration.ofSeconds(5))) {
                assertTrue(taken.isHeld());
                assertTrue(filler.snapshot().grantsOf("other:1").size() == 1);
            }
        } finally {
            leases.forEach(Lease::close);
        }
        assertTrue(other.snapshot().isEmpty(), other.snapshot()::toString);
        filler.close();
        other.close();
    }

    private int storedLength(String space) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT CHAR_LENGTH(CAST(data AS CHAR)) FROM "
                + JdbiLockStore.DEFAULT_TABLE + " WHERE id = ?").bind(0, space).mapTo(Integer.class).one());
    }

    private long storedVersion(String space) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT version FROM " + JdbiLockStore.DEFAULT_TABLE
                + " WHERE id = ?").bind(0, space).mapTo(Long.class).one());
    }
}
