package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.LockMode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A copy of a document shares its lock entries until one side changes them: the two never see each other's changes. */
class LockDocumentTest {

    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    private static LockDocument original() {
        LockDocument doc = LockDocument.empty();
        doc.grant("a", LockMode.EXCLUSIVE, "h1", 1, T);
        doc.grant("s", LockMode.SHARED, "h1", 2, T);
        doc.grant("s", LockMode.SHARED, "h2", 3, T);
        return doc;
    }

    private static String describe(LockDocument doc) {
        StringBuilder b = new StringBuilder();
        doc.locks.forEach((name, e) -> {
            b.append(name).append(' ').append(e.mode);
            e.grants.forEach(g -> b.append(' ').append(g.holder()).append('@').append(g.token()));
            b.append("; ");
        });
        return b.toString();
    }

    @Test
    void changesToACopyLeaveTheOriginalAlone() {
        LockDocument doc = original();
        String before = describe(doc);
        LockDocument copy = doc.copy();
        copy.grant("s", LockMode.SHARED, "h3", 4, T);
        assertTrue(copy.removeGrant("a", "h1", 1));
        assertEquals(1, copy.removeGrants((name, g) -> g.holder().equals("h2"), (name, g) -> { }));
        assertEquals(before, describe(doc));
        assertEquals("s SHARED h1@2 h3@4; ", describe(copy));
    }

    @Test
    void changesToTheOriginalLeaveACopyAlone() {
        LockDocument doc = original();
        LockDocument copy = doc.copy();
        String before = describe(copy);
        doc.grant("s", LockMode.SHARED, "h3", 4, T);
        assertTrue(doc.removeGrant("s", "h1", 2));
        assertEquals(1, doc.removeGrants((name, g) -> name.equals("a"), (name, g) -> { }));
        assertEquals(before, describe(copy));
        assertEquals("s SHARED h2@3 h3@4; ", describe(doc));
    }

    @Test
    void aCopyOfACopyIsIndependentToo() {
        LockDocument first = original().copy();
        LockDocument second = first.copy();
        second.removeGrant("s", "h2", 3);
        assertTrue(first.hasGrant("s", "h2", 3));
        assertFalse(second.hasGrant("s", "h2", 3));
        assertFalse(second.removeGrant("s", "h2", 3), "already gone");
        assertTrue(first.hasGrant("s", "h2", 3));
    }
}
