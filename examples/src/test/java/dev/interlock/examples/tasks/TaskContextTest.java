package dev.interlock.examples.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.interlock.Holder;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** How a waiting task names who is in its way. */
class TaskContextTest {
    private static final Instant T = Instant.parse("2026-11-27T10:00:03.120Z");
    private static final Holder FULL = new Holder("box-1", null, null, 4711, null, null, "full-backup-3", null);
    private static final Holder READER = new Holder("box-1", null, null, 4712, null, null, "clone-4", null);

    private static LockSnapshot snapshot() {
        return new LockSnapshot("platform", 50, T, List.of(
                new LockSnapshot.Grant("app:wiki", LockMode.EXCLUSIVE, "h1", FULL, 42, T, null),
                new LockSnapshot.Grant("backup:app-1", LockMode.SHARED, "h2", READER, 43, T, null),
                new LockSnapshot.Grant("app:chat", LockMode.EXCLUSIVE, "h1", FULL, 42, T, null)), List.of());
    }

    @Test
    void blockersAreTheConflictingGrantsOnly() {
        List<String> exclusive = TaskContext.blockers(LockRequest.exclusive("app:wiki").andExclusive("backup:app-1"),
                snapshot()).stream().map(LockSnapshot.Grant::lock).collect(Collectors.toList());
        assertEquals(List.of("app:wiki", "backup:app-1"), exclusive, "an exclusive request conflicts with any grant");
        List<String> shared = TaskContext.blockers(LockRequest.shared("backup:app-1").andShared("app:wiki"),
                snapshot()).stream().map(LockSnapshot.Grant::lock).collect(Collectors.toList());
        assertEquals(List.of("app:wiki"), shared, "a shared request conflicts with exclusive grants only");
    }

    @Test
    void aBlockerIsDescribedWithTaskPidHostTokenAndRule() {
        assertEquals("app:wiki is held by task full-backup-3 (pid 4711 on box-1 since 10:00:03.120Z, token 42):"
                + " one operation per app at a time", TaskContext.describe(snapshot().grants().get(1)));
        assertEquals("backup:app-1 is held (shared) by task clone-4 (pid 4712 on box-1 since 10:00:03.120Z, token 43):"
                        + " a backup is not deleted while it is written or read",
                TaskContext.describe(snapshot().grantsOf("backup:app-1").get(0)));
    }
}
