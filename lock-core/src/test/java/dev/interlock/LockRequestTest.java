package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockRequestTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void namesAreValidated() {
        assertEquals("lock name must not be empty", message(() -> LockRequest.exclusive("")));
        assertEquals("lock name must be at most 200 characters, was 201: '"
                + "x".repeat(40) + "...'", message(() -> LockRequest.exclusive("x".repeat(201))));
        assertTrue(message(() -> LockRequest.shared("a\nb")).startsWith(
                "lock name must not contain control characters, found U+000A at index 1"));
        assertTrue(message(() -> LockRequest.shared("a\u0000")).contains("U+0000"));
        assertTrue(message(() -> LockRequest.shared("a\uD800")).contains("unpaired surrogate"));
        // valid code points whose low 16 bits fall in D800-DFFF are not surrogates
        for (int cp : new int[] {0x1D800, 0x2D800, 0x1DFFF, 0x10D800}) {
            String name = "a" + new String(Character.toChars(cp));
            assertEquals(name, LockRequest.exclusive(name).locks().keySet().iterator().next(),
                    "U+" + Integer.toHexString(cp));
        }
        // characters that reorder, hide or break the log lines quoting a name
        for (String bad : new String[] {"\u202E", "\u200B", "\u2028", "\u2029", "\uFEFF", "\u2066"}) {
            String m = message(() -> LockRequest.exclusive("app" + bad + "x"));
            assertTrue(m.contains("must not contain invisible format or separator characters")
                    && m.contains(String.format("U+%04X at index 3", (int) bad.charAt(0))), m);
            assertFalse(m.contains(bad), "the message quotes it escaped: " + m);
        }
        assertTrue(message(() -> LockRequest.shared("a\uDC00b")).contains("unpaired surrogate"));
        assertThrows(NullPointerException.class, () -> LockRequest.exclusive(null));
        // 200 code points of astral characters are 400 chars: still fine
        assertEquals(1, LockRequest.exclusive("\uD83D\uDD12".repeat(200)).locks().size());
        assertEquals(1, LockRequest.exclusive("app:'; DROP TABLE interlock_spaces; --").locks().size());
    }

    @Test
    void requestsCombineAndRefuseContradictions() {
        LockRequest r = LockRequest.exclusive("b").andShared("a").and(LockRequest.exclusive("b"));
        assertEquals(Map.of("a", LockMode.SHARED, "b", LockMode.EXCLUSIVE), r.locks());
        assertEquals("a (SHARED), b (EXCLUSIVE)", r.toString());
        assertEquals("lock 'b' is requested both EXCLUSIVE and SHARED; request it once, in the mode you need",
                message(() -> r.andShared("b")));
        assertEquals("a lock request needs at least one lock name", message(() -> new LockRequest(Map.of())));
        Map<String, LockMode> many = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            many.put("n" + i, LockMode.SHARED);
        }
        assertEquals("a lock request may hold at most 1000 names, had 10000", message(() -> new LockRequest(many)));
        Map<String, LockMode> nullMode = new HashMap<>();
        nullMode.put("x", null);
        assertThrows(NullPointerException.class, () -> new LockRequest(nullMode));
    }

    @Test
    void builderChecksEachSetting() {
        LockManager.Builder b = LockManager.builder(new InMemoryLockStore());
        assertEquals("space must not be empty", message(() -> b.space("")));
        assertEquals("space must not start or end with white space: 'platform '", message(() -> b.space("platform ")));
        assertEquals("backoff min must be at least 1ms, was PT0S", message(() -> b.backoff(Duration.ZERO, Duration.ZERO)));
        assertEquals("backoff max must be at least min (PT1S), was PT0.5S",
                message(() -> b.backoff(Duration.ofSeconds(1), Duration.ofMillis(500))));
        assertEquals("maxCasAttempts must be between 1 and 100000, was 0", message(() -> b.maxCasAttempts(0)));
        assertEquals("maxDocumentSize must be between 1024 and 268435456, was 10", message(() -> b.maxDocumentSize(10)));
        assertThrows(NullPointerException.class, () -> LockManager.builder(null));
        assertThrows(NullPointerException.class, () -> b.holder(null));
        assertThrows(NullPointerException.class, () -> b.build().tryAcquire(null));
    }

    @Test
    void badRequestsNeverTouchTheStore() {
        InMemoryLockStore store = new InMemoryLockStore();
        LockManager m = LockManager.builder(store).build();
        assertThrows(IllegalArgumentException.class, () -> m.tryAcquire(LockRequest.exclusive("")));
        assertTrue(store.read(LockManager.DEFAULT_SPACE).isEmpty(), "the space was not even created");
    }
}
