package dev.interlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link LockStore} must have. A store's test extends this class and implements
 * {@link #store()}; each test works in a space of its own.
 *
 * <p>Documents are compared as JSON, not as text: a MySQL {@code JSON} column gives back an equivalent
 * document with its own spacing and key order, and the engine relies on nothing more.
 */
public abstract class LockStoreContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @return the store under test (may be shared between tests) */
    protected abstract LockStore store();

    /** @return a space name no other test uses */
    protected String freshSpace() {
        return "contract-" + UUID.randomUUID();
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void readOfMissingSpaceIsEmpty() {
        assertEquals(Optional.empty(), store().read(freshSpace()));
    }

    @Test
    void createSpaceIfAbsentCreatesAtVersionZeroAndNeverOverwrites() throws Exception {
        String space = freshSpace();
        store().createSpaceIfAbsent(space, "{\"format\":1,\"n\":1}");
        Stored first = store().read(space).orElseThrow();
        assertEquals(0, first.version());
        assertEquals(json("{\"format\":1,\"n\":1}"), json(first.data()));

        store().createSpaceIfAbsent(space, "{\"format\":1,\"n\":2}");
        Stored second = store().read(space).orElseThrow();
        assertEquals(0, second.version());
        assertEquals(json("{\"format\":1,\"n\":1}"), json(second.data()), "an existing space must be left alone");
    }

    @Test
    void compareAndSetAppliesOnlyAtTheExpectedVersion() throws Exception {
        String space = freshSpace();
        store().createSpaceIfAbsent(space, "{\"v\":0}");
        assertEquals(CasResult.APPLIED, store().compareAndSet(space, 0, "{\"v\":1}"));
        assertEquals(CasResult.CONFLICT, store().compareAndSet(space, 0, "{\"v\":\"stale\"}"));
        assertEquals(CasResult.CONFLICT, store().compareAndSet(space, 5, "{\"v\":\"future\"}"));
        Stored now = store().read(space).orElseThrow();
        assertEquals(1, now.version());
        assertEquals(json("{\"v\":1}"), json(now.data()));
        assertEquals(CasResult.APPLIED, store().compareAndSet(space, 1, "{\"v\":2}"));
        assertEquals(2, store().read(space).orElseThrow().version());
    }

    @Test
    void compareAndSetOnMissingSpaceIsAConflictAndCreatesNothing() {
        String space = freshSpace();
        assertEquals(CasResult.CONFLICT, store().compareAndSet(space, 0, "{}"));
        assertEquals(Optional.empty(), store().read(space));
    }

    @Test
    void spacesAreIndependent() throws Exception {
        String a = freshSpace();
        String b = freshSpace();
        store().createSpaceIfAbsent(a, "{\"s\":\"a\"}");
        store().createSpaceIfAbsent(b, "{\"s\":\"b\"}");
        assertEquals(CasResult.APPLIED, store().compareAndSet(a, 0, "{\"s\":\"a1\"}"));
        Stored sb = store().read(b).orElseThrow();
        assertEquals(0, sb.version());
        assertEquals(json("{\"s\":\"b\"}"), json(sb.data()));
    }

    @Test
    void textRoundTripsAsJson() throws Exception {
        String space = freshSpace();
        String doc = "{\"name\":\"app:3f2a ü 日本 \\\"quoted\\\" back\\\\slash 'single' `tick` ; DROP TABLE x; --\","
                + "\"emoji\":\"\uD83D\uDD12\",\"big\":9007199254740993,\"nested\":{\"a\":[1,2,{\"b\":null}]}}";
        store().createSpaceIfAbsent(space, "{}");
        assertEquals(CasResult.APPLIED, store().compareAndSet(space, 0, doc));
        assertEquals(json(doc), json(store().read(space).orElseThrow().data()));
    }

    @Test
    void storeClockIsNearRealTime() {
        String space = freshSpace();
        store().createSpaceIfAbsent(space, "{}");
        Instant now = store().read(space).orElseThrow().now();
        Duration skew = Duration.between(Instant.now(), now).abs();
        assertTrue(skew.compareTo(Duration.ofMinutes(5)) < 0, "store clock " + now + " is " + skew + " off");
    }

    @Test
    void concurrentCompareAndSetsAtOneVersionApplyExactlyOnce() throws Exception {
        String space = freshSpace();
        store().createSpaceIfAbsent(space, "{}");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (long round = 0; round < 5; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<CasResult>> results = new ArrayList<>();
                long version = round;
                for (int i = 0; i < writers; i++) {
                    String data = "{\"writer\":" + i + ",\"round\":" + round + "}";
                    results.add(pool.submit(() -> {
                        go.await();
                        return store().compareAndSet(space, version, data);
                    }));
                }
                go.countDown();
                int applied = 0;
                for (Future<CasResult> f : results) {
                    CasResult r = f.get(60, TimeUnit.SECONDS);
                    assertTrue(r == CasResult.APPLIED || r == CasResult.CONFLICT, "unexpected " + r);
                    applied += r == CasResult.APPLIED ? 1 : 0;
                }
                assertEquals(1, applied, "exactly one writer may win round " + round);
                Stored after = store().read(space).orElseThrow();
                assertEquals(round + 1, after.version());
                assertEquals(round, json(after.data()).get("round").asLong());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
