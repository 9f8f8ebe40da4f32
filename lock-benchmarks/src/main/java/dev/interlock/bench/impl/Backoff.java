package dev.interlock.bench.impl;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The waits of the polling baselines, with the numbers of Interlock's defaults so that the comparison is about
 * the locking, not the waiting policy: capped exponential backoff with jitter between polls of a held lock
 * (5 ms to 500 ms), and a short random pause after a lost compare-and-set (100 µs doubling to 20 ms).
 */
final class Backoff {

    static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    static final long MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long MAX_CAS_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Backoff() {
    }

    /** @return the pause before poll {@code n + 1} of a held lock: random in [min/2, min(max, min * 2^n)] */
    static long pollPauseNanos(int n) {
        long ceiling = n >= 30 ? MAX_NANOS : Math.min(MAX_NANOS, MIN_NANOS << n);
        return ThreadLocalRandom.current().nextLong(MIN_NANOS / 2, ceiling + 1);
    }

    /** @return the pause after lost compare-and-set number {@code attempt}: random in [c/4, c] */
    static long casPauseNanos(int attempt) {
        long ceiling = Math.min(MAX_CAS_PAUSE_NANOS, TimeUnit.MICROSECONDS.toNanos(100) << Math.min(attempt, 20));
        return ThreadLocalRandom.current().nextLong(ceiling / 4, ceiling + 1);
    }

    static void casPause(int attempt) {
        LockSupport.parkNanos(casPauseNanos(attempt));
    }

    /** A poll loop over {@code tryAcquire}, for the baselines that cannot wait otherwise. */
    static BenchLock.Held poll(BenchLock lock, String name, Duration maxWait) throws InterruptedException {
        long start = System.nanoTime();
        long budget = maxWait.toNanos();
        for (int n = 0; ; n++) {
            BenchLock.Held held = lock.tryAcquire(name);
            if (held != null) {
                return held;
            }
            long left = budget - (System.nanoTime() - start);
            if (left <= 0) {
                throw new IllegalStateException(lock.impl().label() + ": " + name + " still held after " + maxWait);
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, pollPauseNanos(n)));
        }
    }
}
