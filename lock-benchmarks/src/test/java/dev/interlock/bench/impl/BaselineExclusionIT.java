package dev.interlock.bench.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.bench.BenchDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every implementation the benchmarks measure really excludes: two holders never hold one lock at once. Runs on the
 * test database (lock-jdbi's TestDatabase, usually an embedded MariaDB).
 */
class BaselineExclusionIT {

    private static HikariDataSource pool;

    @BeforeAll
    static void database() {
        pool = BenchDatabase.resolve().pool(12, "exclusion-it");
        BenchSchema.create(pool);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void aSecondHolderCannotTakeAHeldLock(Impl impl) {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        try (BenchLock a = impl.open(env); BenchLock b = impl.open(env)) {
            String name = env.lockName("x");
            BenchLock.Held held = a.tryAcquire(name);
            assertNotNull(held, "the first holder gets the free lock");
            assertNull(b.tryAcquire(name), "a second holder must not get it while it is held");
            BenchLock.Held other = b.tryAcquire(env.lockName("y"));
            assertNotNull(other, "another name is free");
            held.release();
            BenchLock.Held second = b.tryAcquire(name);
            assertNotNull(second, "free again after the release");
            assertNull(a.tryAcquire(name), "and now the first holder is the one shut out");
            second.release();
            other.release();
        } finally {
            BenchSchema.cleanUp(env);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void locksHeldByOthersAreHeld(Impl impl) throws Exception {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        try (BenchLock lock = impl.open(env)) {
            List<String> names = List.of(env.lockName("h0"), env.lockName("h1"), env.lockName("h2"));
            AutoCloseable others = lock.holdOthers(names);
            assertNull(lock.tryAcquire(env.lockName("h1")), "held by the other holder");
            BenchLock.Held mine = lock.tryAcquire(env.lockName("mine"));
            assertNotNull(mine, "a name not held is free");
            mine.release();
            others.close();
            BenchLock.Held freed = lock.tryAcquire(env.lockName("h1"));
            assertNotNull(freed, "free once the other holder let go");
            freed.release();
        } finally {
            BenchSchema.cleanUp(env);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void waitingThreadsTakeTurns(Impl impl) throws Exception {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        int threads = 4;
        int rounds = 8;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try (BenchLock lock = impl.open(env); BenchLock other = impl.open(env)) {
            String name = env.lockName("shared");
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                BenchLock mine = t % 2 == 0 ? lock : other; // two holders, two threads each
                done.add(exec.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        BenchLock.Held held = mine.acquire(name, Duration.ofSeconds(60));
                        if (inside.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        grants.incrementAndGet();
                        Thread.sleep(1);
                        inside.decrementAndGet();
                        held.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            exec.shutdownNow();
            BenchSchema.cleanUp(env);
        }
        assertEquals(0, violations.get(), "two threads held the lock at once");
        assertEquals(threads * rounds, grants.get());
    }

    @ParameterizedTest
    @EnumSource(value = Impl.class, names = {"GET_LOCK", "ROW_PER_LOCK", "SHEDLOCK", "NAIVE_BLOB"})
    void acquireGivesUpAfterItsWait(Impl impl) {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        try (BenchLock a = impl.open(env); BenchLock b = impl.open(env)) {
            BenchLock.Held held = a.tryAcquire(env.lockName("x"));
            assertNotNull(held);
            long t0 = System.nanoTime();
            assertThrows(IllegalStateException.class, () -> b.acquire(env.lockName("x"), Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            held.release();
        } finally {
            BenchSchema.cleanUp(env);
        }
    }
}
