package dev.interlock;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock a test moves by hand, to play the database's clock. */
public final class MutableClock implements InstantSource {
    private final AtomicReference<Instant> now;

    /** @param start the first instant */
    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    /** @param by how far to move the clock forward */
    public void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
