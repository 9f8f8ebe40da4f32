package dev.interlock.examples;

import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.domain.WorkContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link WorkContext} for operations run inside a test: waits up to 30 s for locks and keeps the notes. */
public final class TestWork implements WorkContext {
    private final LockManager locks;
    private final List<String> notes = new CopyOnWriteArrayList<>();

    /**
     * @param locks the test's lock manager
     */
    public TestWork(LockManager locks) {
        this.locks = locks;
    }

    @Override
    public Lease lock(LockRequest request) throws InterruptedException {
        return locks.acquire(request, Duration.ofSeconds(30));
    }

    @Override
    public void progress(double fraction, String message) {
        // progress is not what these tests look at
    }

    @Override
    public void note(String message) {
        notes.add(message);
    }

    /** @return the notes recorded so far */
    public List<String> notes() {
        return List.copyOf(notes);
    }
}
