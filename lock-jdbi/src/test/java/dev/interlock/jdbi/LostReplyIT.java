package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.jdbi.testing.FaultProxy.Fault;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.Stored;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lost replies, made real: the store talks to the database through a {@link FaultProxy} that swallows the
 * request or the reply of a chosen statement and cuts the connection. Whatever the API then reports must match
 * what the database holds: a lease the caller got is a grant in the table, a lease it did not get leaves no
 * grant behind (or one its manager sweeps with its next write), a released lease leaves nothing, and no name
 * is ever granted twice.
 */
class LostReplyIT {

    private static final String UPDATE = "UPDATE `interlock_spaces`";
    private static final String INSERT = "INSERT INTO `interlock_spaces`";
    private static final String SELECT = "SELECT `version`, `data`";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db = TestDatabase.get();
    private FaultProxy proxy;
    /** Talks through the proxy. */
    private JdbiLockStore faulty;
    /** Talks to the database directly: the truth. */
    private JdbiLockStore direct;
    private String space;

    @BeforeEach
    void setUp() {
        direct = db.store();
        proxy = db.startProxy();
        // a socket timeout as production should have one: a reply that never comes is a lost reply too
        faulty = JdbiLockStore.create(db.dataSource(proxy.jdbcUrl(db.jdbcUrl(Map.of("socketTimeout", "20000")))));
        space = TestDatabase.newSpace("lost-reply");
    }

    @AfterEach
    void tearDown() {
        proxy.close();
    }

    // ------------------------------------------------------------------ the raw store

    @Test
    void aWriteWhoseReplyIsLostIsUnknownAndWasApplied() throws Exception {
        direct.createSpaceIfAbsent(space, "{\"n\":0}");
        proxy.arm(Fault.DROP_REPLY, UPDATE);
        assertEquals(CasResult.UNKNOWN, faulty.compareAndSet(space, 0, "{\"n\":1}"));
        assertEquals(1, proxy.faultsInjected());
        Stored truth = direct.read(space).orElseThrow();
        assertEquals(1, truth.version());
        assertEquals(JSON.readTree("{\"n\":1}"), JSON.readTree(truth.data()));
        // the store works on: the next call takes a new connection
        assertEquals(CasResult.CONFLICT, faulty.compareAndSet(space, 0, "{\"n\":\"again\"}"));
        assertEquals(CasResult.APPLIED, faulty.compareAndSet(space, 1, "{\"n\":2}"));
    }

    @Test
    void aWriteWhoseRequestIsLostIsUnknownAndWasNotApplied() throws Exception {
        direct.createSpaceIfAbsent(space, "{\"n\":0}");
        proxy.arm(Fault.DROP_REQUEST, UPDATE);
        assertEquals(CasResult.UNKNOWN, faulty.compareAndSet(space, 0, "{\"n\":1}"));
        assertEquals(1, proxy.faultsInjected());
        Stored truth = direct.read(space).orElseThrow();
        assertEquals(0, truth.version());
        assertEquals(JSON.readTree("{\"n\":0}"), JSON.readTree(truth.data()));
        assertEquals(CasResult.APPLIED, faulty.compareAndSet(space, 0, "{\"n\":1}"));
    }

    @Test
    void aReadWhoseReplyIsLostFailsWithAKnownOutcome() {
        direct.createSpaceIfAbsent(space, "{}");
        proxy.arm(Fault.DROP_REPLY, SELECT);
        LockStoreException e = assertThrows(LockStoreException.class, () -> faulty.read(space));
        assertTrue(e.outcomeKnown(), "a read changes nothing");
        assertTrue(e.getMessage().contains("could not read lock space '" + space + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("SQLState 08"), e.getMessage());
        assertEquals(0, faulty.read(space).orElseThrow().version());
    }

    @Test
    void aCreateWhoseReplyIsLostIsRetried() {
        proxy.arm(Fault.DROP_REPLY, INSERT);
        faulty.createSpaceIfAbsent(space, "{\"n\":0}");
        assertEquals(1, proxy.faultsInjected());
        assertEquals(0, direct.read(space).orElseThrow().version());
        proxy.arm(Fault.DROP_REQUEST, INSERT);
        String other = space + "-2";
        faulty.createSpaceIfAbsent(other, "{\"n\":0}");
        assertEquals(2, proxy.faultsInjected());
        assertEquals(0, direct.read(other).orElseThrow().version());
    }

    // ------------------------------------------------------------------ through the lock manager

    @Test
    void anAcquireWhoseGrantReplyIsLostHoldsExactlyTheGrantInTheDatabase() throws Exception {
        LockManager locks = manager(faulty, "acquire-reply");
        proxy.arm(Fault.DROP_REPLY, UPDATE);
        try (Lease lease = locks.acquire(LockRequest.exclusive("job"), WAIT)) {
            assertEquals(1, proxy.faultsInjected());
            List<LockSnapshot.Grant> grants = truth().grants();
            assertEquals(1, grants.size(), grants::toString);
            assertEquals("job", grants.get(0).lock());
            assertEquals(locks.holderId(), grants.get(0).holderId());
            assertEquals(lease.token(), grants.get(0).token());
            assertEquals(Optional.empty(), manager(direct, "rival").tryAcquire(LockRequest.exclusive("job")),
                    "the name is not granted twice");
        }
        assertTrue(truth().isEmpty(), truth()::toString);
    }

    @Test
    void anAcquireWhoseGrantRequestIsLostIsGrantedOnceAndLeavesNoOrphan() throws Exception {
        LockManager locks = manager(faulty, "acquire-request");
        proxy.arm(Fault.DROP_REQUEST, UPDATE);
        try (Lease lease = locks.acquire(LockRequest.exclusive("job"), WAIT)) {
            assertEquals(1, proxy.faultsInjected());
            List<LockSnapshot.Grant> grants = truth().grants();
            assertEquals(1, grants.size(), grants::toString);
            assertEquals(lease.token(), grants.get(0).token());
            assertEquals(locks.holderId(), grants.get(0).holderId());
        }
        assertTrue(truth().isEmpty(), truth()::toString);
    }

    @Test
    void aReleaseWhoseReplyIsLostLeavesNothing() throws Exception {
        LockManager locks = manager(faulty, "release-reply");
        Lease lease = locks.acquire(LockRequest.exclusive("job").andShared("platform"), WAIT);
        assertEquals(2, truth().grants().size());
        proxy.arm(Fault.DROP_REPLY, UPDATE);
        lease.close();
        assertEquals(1, proxy.faultsInjected());
        assertFalse(lease.isHeld());
        assertTrue(truth().isEmpty(), truth()::toString);
        try (Lease next = manager(direct, "next").tryAcquire(LockRequest.exclusive("job")).orElseThrow()) {
            assertTrue(next.token() > lease.token());
        }
    }

    @Test
    void aReleaseWhoseRequestIsLostIsRetriedAndLeavesNothing() throws Exception {
        LockManager locks = manager(faulty, "release-request");
        Lease lease = locks.acquire(LockRequest.exclusive("job"), WAIT);
        proxy.arm(Fault.DROP_REQUEST, UPDATE);
        lease.close();
        assertEquals(1, proxy.faultsInjected());
        assertFalse(lease.isHeld());
        assertTrue(truth().isEmpty(), truth()::toString);
    }

    @Test
    void aGrantWhoseOutcomeCannotBeLearnedIsReportedAsUnknownAndItsOrphanIsSweptByTheNextWrite() throws Exception {
        LockManager locks = manager(faulty, "grant-unknown");
        locks.snapshot(); // creates the space before the faults
        proxy.arm(Fault.DROP_REPLY, UPDATE);          // the grant is applied, its reply lost ...
        proxy.armRepeatedly(Fault.DROP_REPLY, SELECT); // ... and no read gets through to reconcile it
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> locks.tryAcquire(LockRequest.exclusive("job")));
        proxy.disarm();
        assertFalse(e.outcomeKnown(), "the API says it does not know: " + e.getMessage());

        // The database holds the grant the caller was told nothing about: an orphan of a live holder.
        List<LockSnapshot.Grant> grants = truth().grants();
        assertEquals(1, grants.size(), grants::toString);
        assertEquals(locks.holderId(), grants.get(0).holderId());
        assertEquals(Optional.empty(), manager(direct, "rival").tryAcquire(LockRequest.exclusive("job")),
                "never granted twice, not even while the outcome is unknown");

        // The manager's next write removes it.
        try (Lease other = locks.tryAcquire(LockRequest.exclusive("other-job")).orElseThrow()) {
            List<LockSnapshot.Grant> now = truth().grants();
            assertEquals(1, now.size(), now::toString);
            assertEquals("other-job", now.get(0).lock());
            assertEquals(other.token(), now.get(0).token());
        }
        assertTrue(truth().isEmpty(), truth()::toString);
    }

    @Test
    void aReleaseThatCannotReachTheDatabaseLeavesAnOrphanThatReapSweeps() throws Exception {
        LockManager locks = manager(faulty, "release-unknown");
        Lease lease = locks.acquire(LockRequest.exclusive("job"), WAIT);
        proxy.arm(Fault.DROP_REQUEST, UPDATE);         // the release is not applied ...
        proxy.armRepeatedly(Fault.DROP_REPLY, SELECT); // ... and the store cannot be read for a while
        lease.close(); // quiet, as close() must be
        proxy.disarm();
        assertFalse(lease.isHeld());
        List<LockSnapshot.Grant> grants = truth().grants();
        assertEquals(1, grants.size(), "the grant is still there, as an orphan: " + grants);
        assertEquals(lease.token(), grants.get(0).token());

        assertEquals(1, locks.reap(), "the manager sweeps its own orphan");
        assertTrue(truth().isEmpty(), truth()::toString);
    }

    private LockManager manager(JdbiLockStore store, String task) {
        return LockManager.builder(store).space(space).holder(Holder.currentProcess(task))
                .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build();
    }

    /** What the database holds, read without the proxy. */
    private LockSnapshot truth() {
        return LockManager.builder(direct).space(space).build().snapshot();
    }
}
