package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.LockMode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlobCodecTest {

    private final BlobCodec codec = new BlobCodec(64 * 1024);
    private static final String HOLDER = "\"h\":{\"host\":\"box\",\"pid\":1}";

    private String doc(String locks) {
        return "{\"format\":1,\"holders\":{" + HOLDER + "},\"locks\":{" + locks + "}}";
    }

    @Test
    void roundTripKeepsEverything() throws Exception {
        LockDocument doc = LockDocument.empty();
        Holder h = new Holder("box-1", "boot", "4026531836", 42, 1234L, Instant.parse("2026-01-01T00:00:00Z"), "t", "l");
        doc.holders.put("h1", new LockDocument.HolderRecord(h, Instant.parse("2026-01-01T00:01:00Z"), null));
        doc.holders.get("h1").lastWrite = 7;
        doc.grant("app:ü", LockMode.SHARED, "h1", 3, Instant.parse("2026-01-01T00:00:01.123456Z"));
        String text = codec.encode(doc);
        LockDocument back = codec.decode("s", 3, text);
        assertEquals(h, back.holders.get("h1").holder);
        assertEquals(7, back.holders.get("h1").lastWrite);
        assertEquals(Instant.parse("2026-01-01T00:01:00Z"), back.holders.get("h1").leaseUntil);
        assertEquals(LockMode.SHARED, back.locks.get("app:ü").mode);
        assertEquals(3, back.locks.get("app:ü").grants.get(0).token());
        assertEquals(text, codec.encode(back));
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(text), json.readTree(codec.encode(codec.decode("s", 3, text))));
    }

    @Test
    void unknownFieldsAreKeptAtEveryLevel() {
        String text = "{\"format\":1,\"x\":[1,{\"y\":null}],\"holders\":{\"h\":{\"host\":\"box\",\"pid\":1,\"cg\":\"a\"}},"
                + "\"locks\":{\"n\":{\"mode\":\"EXCLUSIVE\",\"q\":1,\"holders\":[{\"holder\":\"h\",\"token\":1,"
                + "\"since\":\"2026-01-01T00:00:00Z\",\"z\":true}]}}}";
        String again = codec.encode(codec.decode("s", 1, text));
        assertTrue(again.contains("\"x\":[1,{\"y\":null}]"), again);
        assertTrue(again.contains("\"cg\":\"a\""), again);
        assertTrue(again.contains("\"q\":1"), again);
        assertTrue(again.contains("\"z\":true"), again);
    }

    @Test
    void queueRoundTripsAndIsValidated() {
        String text = "{\"format\":1,\"holders\":{\"h\":{\"host\":\"box\",\"pid\":1}},\"locks\":{},\"queue\":["
                + "{\"holder\":\"h\",\"ticket\":2,\"locks\":{\"p\":\"EXCLUSIVE\",\"a\":\"SHARED\"},"
                + "\"since\":\"2026-01-01T00:00:00Z\",\"x\":1}]}";
        LockDocument doc = codec.decode("s", 2, text);
        assertEquals(1, doc.queue.size());
        assertEquals(java.util.Map.of("p", LockMode.EXCLUSIVE, "a", LockMode.SHARED), doc.queue.get(0).locks());
        assertTrue(codec.encode(doc).contains("\"x\":1"), "unknown fields of a queued request are kept");
        assertEquals(doc.queue.get(0).ticket(), codec.decode("s", 2, codec.encode(doc)).queue.get(0).ticket());

        String unordered = text.replace("]}", ",{\"holder\":\"h\",\"ticket\":1,\"locks\":{\"q\":\"SHARED\"},"
                + "\"since\":\"2026-01-01T00:00:00Z\"}]}");
        assertTrue(assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 2, unordered)).getMessage()
                .contains("'queue' must be ordered by ticket, found 1 after 2"));
        String stranger = text.replace("{\"holder\":\"h\",\"ticket\"", "{\"holder\":\"z\",\"ticket\"");
        assertTrue(assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 2, stranger)).getMessage()
                .contains("queued request of 'z' names a holder that has no record"));
        String future = text.replace("\"ticket\":2", "\"ticket\":3");
        assertTrue(assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 2, future)).getMessage()
                .contains("ticket must be between 1 and 2, was 3"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json            | {format:1}                                              | not valid JSON",
        "json null           | null                                                    | must be a JSON object, was null",
        "array               | []                                                      | must be a JSON object, was array",
        "no format           | {\"holders\":{},\"locks\":{}}                           | 'format' must be a positive integer, was missing",
        "string format       | {\"format\":\"1\",\"holders\":{},\"locks\":{}}          | 'format' must be a positive integer, was string",
        "newer format        | {\"format\":2,\"holders\":{},\"locks\":{}}              | format 2 is newer than this library understands",
        "locks wrong type    | {\"format\":1,\"holders\":{},\"locks\":[]}              | 'locks' must be an object, was array",
        "holders missing     | {\"format\":1,\"locks\":{}}                             | 'holders' must be an object, was missing",
        "duplicate key       | {\"format\":1,\"format\":1,\"holders\":{},\"locks\":{}} | not valid JSON: Duplicate field 'format'",
        "trailing content    | {\"format\":1,\"holders\":{},\"locks\":{}} {}           | trailing content",
    })
    void malformedDocumentsAreCorrupt(String what, String text, String message) {
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class, () -> codec.decode("sp", 9, text));
        assertTrue(e.getMessage().startsWith("lock space 'sp' at version 9 is unreadable: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown mode        | \"n\":{\"mode\":\"X\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}]}  | unknown mode 'X'",
        "no grants           | \"n\":{\"mode\":\"SHARED\",\"holders\":[]}                                                            | must be a non-empty array",
        "two exclusive       | \"n\":{\"mode\":\"EXCLUSIVE\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"},{\"holder\":\"h\",\"token\":2,\"since\":\"2026-01-01T00:00:00Z\"}]} | is EXCLUSIVE but has 2 holders",
        "unknown holder      | \"n\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"ghost\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}]} | which has no record",
        "token above version | \"n\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":10,\"since\":\"2026-01-01T00:00:00Z\"}]} | token must be between 1 and 9, was 10",
        "token zero          | \"n\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":0,\"since\":\"2026-01-01T00:00:00Z\"}]} | token must be between 1 and 9, was 0",
        "bad since           | \"n\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"yesterday\"}]}           | since must be an ISO-8601 instant",
        "duplicate grant     | \"n\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"},{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}]} | twice",
        "control char name   | \"a\\u0001b\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}]} | invalid lock name",
        "empty name          | \"\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}]} | invalid lock name",
    })
    void invariantViolationsAreCorrupt(String what, String locks, String message) {
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class,
                () -> codec.decode("sp", 9, doc(locks)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void holderFieldsOfWrongTypeAreCorrupt() {
        String text = "{\"format\":1,\"holders\":{\"h\":{\"host\":\"box\",\"pid\":\"one\"}},\"locks\":{}}";
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, text));
        assertTrue(e.getMessage().contains("holder 'h' pid must be an integer, was string"), e.getMessage());
    }

    @Test
    void limitsOnSizeAndDepthHold() {
        String deep = "{\"format\":1,\"holders\":{},\"locks\":{},\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
        CorruptLockStateException depth = assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, deep));
        assertTrue(depth.getMessage().contains("not valid JSON"), depth.getMessage());
        assertTrue(depth.getMessage().contains("nesting depth"), depth.getMessage());

        String big = "{\"format\":1,\"holders\":{},\"locks\":{},\"x\":\"" + "a".repeat(70_000) + "\"}";
        CorruptLockStateException size = assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, big));
        assertTrue(size.getMessage().contains("over the limit of 65536 (maxDocumentSize)"), size.getMessage());
        assertTrue(size.getMessage().length() < 400, "the document is never quoted whole");

        assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, null));
    }
}
