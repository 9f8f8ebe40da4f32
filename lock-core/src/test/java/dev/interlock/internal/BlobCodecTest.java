package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.LockMode;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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
        "newer format        | {\"format\":3,\"holders\":{},\"locks\":{}}              | format 3 is newer than this library understands (up to 2); upgrade Interlock",
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

        String big = "{\"format\":1,\"holders\":{},\"locks\":{},\"x\":\"" + "a".repeat(140_000) + "\"}";
        CorruptLockStateException size = assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, big));
        assertTrue(size.getMessage().contains("over the limit of 131072 (twice maxDocumentSize)"), size.getMessage());
        assertTrue(size.getMessage().length() < 400, "the document is never quoted whole");

        assertThrows(CorruptLockStateException.class, () -> codec.decode("s", 1, null));
    }

    // ---- format 2 ----------------------------------------------------------------------------------------------

    /** JSON written with single quotes, for legibility. */
    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static final String V2_HOLDERS = "'holders':{'h':{'host':'box','pid':1},'k':{'host':'box','pid':2}}";

    /** A format 2 document with holders {@code h} and {@code k}, and these grant groups. */
    private static String v2(String groups) {
        return q("{'format':2," + V2_HOLDERS + ",'grants':[" + groups + "]}");
    }

    /** The model of a document, in a form to compare: locks sorted by name, each lock's grants sorted. */
    private static String model(LockDocument d) {
        StringBuilder b = new StringBuilder();
        d.holders.forEach((id, r) -> b.append("holder ").append(id).append(' ').append(r.holder).append(" lease ")
                .append(r.leaseUntil).append(" write ").append(r.lastWrite).append(' ').append(r.extra).append('\n'));
        new TreeMap<>(d.locks).forEach((name, e) -> {
            b.append("lock ").append(name).append(' ').append(e.mode).append(' ').append(e.extra);
            e.grants.stream().map(Object::toString).sorted().forEach(g -> b.append(' ').append(g));
            b.append('\n');
        });
        d.queue.forEach(w -> b.append("queued ").append(w).append('\n'));
        return b.append("extra ").append(d.extra).toString();
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void exclusiveAndSharedGrantsAcrossHoldersAndTokensRoundTrip() throws Exception {
        Instant t3 = Instant.parse("2026-11-27T20:50:01.123456Z");
        Instant t5 = Instant.parse("2026-11-27T20:50:02.000001234Z"); // the engine's fast path has nanoseconds
        Instant t7 = Instant.parse("2026-11-27T20:50:03Z");
        LockDocument doc = LockDocument.empty();
        doc.holders.put("h1", new LockDocument.HolderRecord(new Holder("box-1", null, null, 1, null, null, null,
                null), null, null));
        doc.holders.put("h2", new LockDocument.HolderRecord(new Holder("box-2", null, null, 2, null, null, null,
                null), null, null));
        // as the engine grants them: one lease after the other, each lease's names together
        doc.grant("app:1", LockMode.EXCLUSIVE, "h1", 3, t3);
        doc.grant("app:2", LockMode.EXCLUSIVE, "h1", 3, t3);
        doc.grant("platform", LockMode.SHARED, "h1", 3, t3);
        doc.grant("platform", LockMode.SHARED, "h2", 5, t5);
        doc.grant("tools", LockMode.SHARED, "h2", 5, t5);
        doc.grant("app:3", LockMode.EXCLUSIVE, "h1", 7, t7);
        doc.grant("tools", LockMode.SHARED, "h1", 7, t7);

        String text = codec.encode(doc);
        assertEquals(q("{'format':2,'holders':{'h1':{'host':'box-1','pid':1},'h2':{'host':'box-2','pid':2}},"
                + "'grants':[{'holder':'h1','token':3,'since':" + nanos(t3) + ",'x':['app:1','app:2'],'s':['platform']},"
                + "{'holder':'h2','token':5,'since':" + nanos(t5) + ",'s':['platform','tools']},"
                + "{'holder':'h1','token':7,'since':" + nanos(t7) + ",'x':['app:3'],'s':['tools']}]}"), text);

        LockDocument back = codec.decode("s", 7, text);
        assertEquals(2, back.format);
        assertEquals(model(doc), model(back));
        assertEquals(List.of("app:1", "app:2", "platform", "tools", "app:3"), List.copyOf(back.locks.keySet()),
                "names in the order they first appear in the groups");
        assertEquals(t5, back.locks.get("tools").grants.get(0).since(), "exact to the nanosecond");
        assertSame(back.locks.get("app:1").grants.get(0), back.locks.get("platform").grants.get(0),
                "the names of one group share one grant");
        assertEquals(text, codec.encode(back));

        // the engine's next step on the decoded model: release a lease, grant another
        back.removeGrants((name, g) -> g.token() == 3, (name, g) -> { });
        back.grant("app:1", LockMode.EXCLUSIVE, "h2", 8, t7);
        assertEquals(q("{'format':2,'holders':{'h1':{'host':'box-1','pid':1},'h2':{'host':'box-2','pid':2}},"
                + "'grants':[{'holder':'h2','token':5,'since':" + nanos(t5) + ",'s':['platform','tools']},"
                + "{'holder':'h1','token':7,'since':" + nanos(t7) + ",'x':['app:3'],'s':['tools']},"
                + "{'holder':'h2','token':8,'since':" + nanos(t7) + ",'x':['app:1']}]}"), codec.encode(back));
    }

    @Test
    void groupsAreOrderedByTokenThenHolderThenSince() {
        Instant early = Instant.parse("2026-01-01T00:00:00Z");
        Instant late = Instant.parse("2026-01-01T00:00:01Z");
        LockDocument doc = codec.decode("s", 9, v2(""));
        doc.grant("d", LockMode.SHARED, "k", 4, early);
        doc.grant("c", LockMode.SHARED, "h", 4, late);
        doc.grant("b", LockMode.SHARED, "h", 4, early);
        doc.grant("a", LockMode.SHARED, "k", 2, late);
        doc.grant("d", LockMode.SHARED, "h", 4, late);
        String text = codec.encode(doc);
        assertEquals(v2("{'holder':'k','token':2,'since':" + nanos(late) + ",'s':['a']},"
                + "{'holder':'h','token':4,'since':" + nanos(early) + ",'s':['b']},"
                + "{'holder':'h','token':4,'since':" + nanos(late) + ",'s':['d','c']},"
                + "{'holder':'k','token':4,'since':" + nanos(early) + ",'s':['d']}"), text);
        assertEquals(model(doc), model(codec.decode("s", 9, text)));
    }

    @Test
    void aThousandNamesInOneLeaseCostTheirNamesAndThreeCharactersEach() {
        LockDocument doc = LockDocument.empty();
        String holderId = "GY5re-OiQJym99LATO7xRg"; // 22 characters, like every holder id
        doc.holders.put(holderId, new LockDocument.HolderRecord(new Holder("box-1", "0b7c7e0c-3a4e-4f5e-9a1b-"
                + "2c3d4e5f6a7b", "4026531836", 4711, 123456L, Instant.parse("2026-11-27T20:49:58.120Z"), "backup-17",
                null), Instant.parse("2026-11-27T20:55:01.123456Z"), null));
        int nameLength = "app:00000".length();
        for (int i = 0; i < 1000; i++) {
            doc.grant(String.format("app:%05d", i), LockMode.EXCLUSIVE, holderId, 12,
                    Instant.parse("2026-11-27T20:50:01.123456Z"));
        }
        String text = codec.encode(doc);
        System.out.println("1,000 names in one lease: " + text.length() + " characters");
        // each name: itself, two quotes and a comma; the rest (holder record, one group's head) is under 400
        assertTrue(text.length() <= 1000 * (nameLength + 3) + 400, text.length() + " characters");
        assertTrue(text.length() < 1000 * (nameLength + 4) + 1000, text.length() + " characters");
        // format 1 took over 1000 * 130 characters for the same
        assertEquals(model(doc), model(codec.decode("s", 12, text)));
    }

    @Test
    void aGrantOfItsOwnCostsItsNameItsHolderIdAndUnderSeventyCharacters() {
        LockDocument doc = LockDocument.empty();
        String holderId = "GY5re-OiQJym99LATO7xRg";
        doc.holders.put(holderId, new LockDocument.HolderRecord(new Holder("box-1", null, null, 4711, null, null,
                null, null), null, null));
        int empty = codec.encode(doc).length();
        Instant since = Instant.parse("2026-11-27T20:50:01.123456Z");
        for (int i = 0; i < 1000; i++) {
            doc.grant(String.format("app:%05d", i), LockMode.EXCLUSIVE, holderId, 10_000 + i, since.plusMillis(i));
        }
        String text = codec.encode(doc);
        System.out.println("1,000 grants of one name each: " + text.length() + " characters");
        // {"holder":"<22 characters>","token":10000,"since":1795812601123456000,"x":["app:00000"]},
        int perGrant = (text.length() - empty) / 1000;
        assertTrue(perGrant <= "app:00000".length() + holderId.length() + 70, perGrant + " characters per grant");
        assertEquals(model(doc), model(new BlobCodec(1 << 20).decode("s", 20_000, text)));
    }

    /** Renders JSON as MySQL returns a {@code JSON} column: a space after every {@code :} and {@code ,}. */
    private static String asMysqlRendersIt(String text) throws Exception {
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.core.util.MinimalPrettyPrinter spaced = new com.fasterxml.jackson.core.util
                .MinimalPrettyPrinter() {
            private static final long serialVersionUID = 1L;

            @Override
            public void writeObjectFieldValueSeparator(com.fasterxml.jackson.core.JsonGenerator g)
                    throws java.io.IOException {
                g.writeRaw(": ");
            }

            @Override
            public void writeObjectEntrySeparator(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException {
                g.writeRaw(", ");
            }

            @Override
            public void writeArrayValueSeparator(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException {
                g.writeRaw(", ");
            }
        };
        return json.writer(spaced).writeValueAsString(json.readTree(text));
    }

    @Test
    void aDocumentAtTheLimitDecodesHoweverAServerRendersIt() throws Exception {
        BlobCodec small = new BlobCodec(16 * 1024);
        LockDocument doc = LockDocument.empty();
        Instant since = Instant.parse("2026-11-27T20:50:01.123456Z");
        for (int h = 0; ; h++) {
            String holderId = "h" + h;
            doc.holders.put(holderId, new LockDocument.HolderRecord(new Holder("box", null, null, h + 1, null, null,
                    null, null), null, null));
            // the shortest names: the most separators per character, the largest growth when rendered with spaces
            doc.grant("n" + h, LockMode.SHARED, holderId, h + 1, since);
            doc.grant("s", LockMode.SHARED, holderId, h + 1, since);
            if (small.encode(doc).length() > small.maxChars() - 100) {
                break;
            }
        }
        String written = small.encode(doc);
        String rendered = asMysqlRendersIt(written);
        assertTrue(rendered.length() > small.maxChars(), rendered.length() + " characters: over the write limit");
        assertTrue(rendered.length() < small.maxStoredChars(), rendered.length() + " characters");
        System.out.println("a document written at " + written.length() + " characters is rendered with spaces at "
                + rendered.length() + " (" + (100 * rendered.length() / written.length() - 100) + "% longer)");
        assertEquals(model(doc), model(small.decode("s", 1_000_000, rendered)));
    }

    @Test
    void sinceIsExactToTheNanosecondAndBeyondTheYear2262() {
        List<Instant> instants = List.of(Instant.parse("2026-11-27T20:50:01.123456789Z"),
                Instant.parse("2026-11-27T20:50:01.123456Z"), Instant.EPOCH,
                Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.parse("1677-09-21T00:12:43.145224192Z"),
                Instant.parse("2262-04-11T23:47:16.854775807Z"), Instant.parse("2999-01-01T00:00:00Z"),
                Instant.parse("1600-01-01T00:00:00.5Z"), Instant.MAX, Instant.MIN);
        LockDocument doc = codec.decode("s", 99, v2(""));
        for (int i = 0; i < instants.size(); i++) {
            doc.grant("n" + i, LockMode.EXCLUSIVE, "h", i + 1, instants.get(i));
        }
        String text = codec.encode(doc);
        assertTrue(text.contains("'since':1795812601123456789,".replace('\'', '"')), text);
        assertTrue(text.contains("'since':-1,".replace('\'', '"')), text);
        assertTrue(text.contains("'since':-9223372036854775808,".replace('\'', '"')), "the long's smallest: " + text);
        assertTrue(text.contains("'since':9223372036854775807,".replace('\'', '"')), "the long's largest: " + text);
        assertTrue(text.contains("'since':'2999-01-01T00:00:00Z',".replace('\'', '"')), "beyond 2262: " + text);
        LockDocument back = codec.decode("s", 99, text);
        for (int i = 0; i < instants.size(); i++) {
            assertEquals(instants.get(i), back.locks.get("n" + i).grants.get(0).since());
        }
        assertEquals(text, codec.encode(back));
        // an ISO-8601 since is read whatever the instant
        assertEquals(Instant.parse("2026-01-01T00:00:00.5Z"), codec.decode("s", 1,
                v2("{'holder':'h','token':1,'since':'2026-01-01T00:00:00.5Z','x':['a']}")).locks.get("a")
                .grants.get(0).since());
    }

    @Test
    void formatOneDocumentsDecodeToTheSameModelAndAreRewrittenInFormatTwo() {
        String since3 = "2026-01-01T00:00:00.123456Z";
        String since5 = "2026-01-01T00:00:05Z";
        String v1 = q("{'format':1,'holders':{'h':{'host':'box','pid':1,'leaseUntil':'2026-01-01T00:01:00Z',"
                + "'lastWrite':4},'k':{'host':'box','pid':2,'cg':'a'}},'locks':{"
                + "'app:1':{'mode':'EXCLUSIVE','holders':[{'holder':'h','token':3,'since':'" + since3 + "'}]},"
                + "'platform':{'mode':'SHARED','holders':[{'holder':'h','token':3,'since':'" + since3 + "'},"
                + "{'holder':'k','token':5,'since':'" + since5 + "','z':true}]},"
                + "'app:2':{'mode':'EXCLUSIVE','holders':[{'holder':'k','token':5,'since':'" + since5 + "','z':true}]}},"
                + "'queue':[{'holder':'k','ticket':6,'locks':{'app:1':'SHARED'},'since':'2026-01-01T00:00:06Z'}],"
                + "'top':[1]}");
        String v2 = q("{'format':2,'holders':{'h':{'host':'box','pid':1,'leaseUntil':'2026-01-01T00:01:00Z',"
                + "'lastWrite':4},'k':{'host':'box','pid':2,'cg':'a'}},'grants':["
                + "{'holder':'h','token':3,'since':" + nanos(Instant.parse(since3)) + ",'x':['app:1'],'s':['platform']},"
                + "{'holder':'k','token':5,'since':" + nanos(Instant.parse(since5)) + ",'x':['app:2'],'s':['platform'],"
                + "'z':true}],"
                + "'queue':[{'holder':'k','ticket':6,'locks':{'app:1':'SHARED'},'since':'2026-01-01T00:00:06Z'}],"
                + "'top':[1]}");
        LockDocument one = codec.decode("s", 6, v1);
        LockDocument two = codec.decode("s", 6, v2);
        assertEquals(1, one.format);
        assertEquals(2, two.format);
        assertEquals(model(two), model(one));
        assertEquals(v2, codec.encode(one), "written in format 2, whatever it was read in");
        assertEquals(v2, codec.encode(two));
    }

    @Test
    void unknownFieldsOfFormatOneAreKeptWhereFormatTwoHasAPlaceForThem() {
        String text = q("{'format':1,'x':[1,{'y':null}],'grants':'format 1 never had them','holders':{'h':{'host':"
                + "'box','pid':1,'cg':'a'}},'locks':{'n':{'mode':'EXCLUSIVE','q':1,'holders':[{'holder':'h',"
                + "'token':1,'since':'2026-01-01T00:00:00Z','z':true,'x':2,'s':3}]}}}");
        LockDocument doc = codec.decode("s", 1, text);
        assertNull(doc.locks.get("n").extra, "a lock entry's own unknown fields have no place in format 2");
        String again = codec.encode(doc);
        assertEquals(q("{'format':2,'holders':{'h':{'host':'box','pid':1,'cg':'a'}},'grants':[{'holder':'h',"
                + "'token':1,'since':1767225600000000000,'x':['n'],'z':true}],'x':[1,{'y':null}]}"), again);
        assertEquals(again, codec.encode(codec.decode("s", 1, again)));
    }

    @Test
    void unknownFieldsOfFormatTwoAreKeptAtEveryLevel() {
        String text = q("{'format':2,'holders':{'h':{'host':'box','pid':1,'cg':{'path':'/tasks/7'}},"
                + "'k':{'host':'box','pid':2}},'grants':["
                + "{'holder':'h','token':1,'since':1767225600000000000,'x':['a'],'note':1},"
                + "{'holder':'h','token':1,'since':1767225600000000000,'x':['b'],'note':2},"
                + "{'holder':'h','token':1,'since':1767225600000000000,'x':['c']},"
                + "{'holder':'k','token':2,'since':1767225600000000000,'s':['d'],'note':[true,null]}],"
                + "'queue':[{'holder':'k','ticket':3,'locks':{'a':'EXCLUSIVE'},'since':'2026-01-01T00:00:00Z','w':'x'}],"
                + "'future':{'a':[1,2.5,'three']},'more':null}");
        LockDocument doc = codec.decode("s", 3, text);
        assertEquals(text, codec.encode(doc), "groups that differ only in unknown fields stay apart");
        doc.grant("e", LockMode.EXCLUSIVE, "k", 3, Instant.parse("2026-01-01T00:00:00Z"));
        doc.removeGrant("c", "h", 1);
        String changed = codec.encode(doc);
        assertEquals(text.replace(q(",{'holder':'h','token':1,'since':1767225600000000000,'x':['c']}"), "")
                .replace(q("'note':[true,null]}]"), q("'note':[true,null]},{'holder':'k','token':3,"
                        + "'since':1767225600000000000,'x':['e']}]")), changed);
    }

    static Stream<Arguments> formatTwoViolations() {
        String g = "{'holder':'h','token':1,'since':1767225600000000000,";
        String k = "{'holder':'k','token':2,'since':1767225600000000000,";
        return Stream.of(
                Arguments.of("grants missing", q("{'format':2," + V2_HOLDERS + "}"),
                        "'grants' must be an array, was missing"),
                Arguments.of("grants an object", q("{'format':2," + V2_HOLDERS + ",'grants':{}}"),
                        "'grants' must be an array, was object"),
                Arguments.of("format 1 locks", q("{'format':2," + V2_HOLDERS + ",'grants':[],'locks':{}}"),
                        "'locks' is not a field of format 2"),
                Arguments.of("group not an object", v2("[]"), "grants[0] must be an object, was array"),
                Arguments.of("holder missing", v2("{'token':1,'since':0,'x':['a']}"),
                        "grants[0] holder must be a string, was missing"),
                Arguments.of("unknown holder", v2("{'holder':'ghost','token':1,'since':0,'x':['a']}"),
                        "grants[0] is granted to holder 'ghost', which has no record"),
                Arguments.of("token zero", v2(g.replace("1,'since", "0,'since") + "'x':['a']}"),
                        "grants[0] token must be between 1 and 9, was 0"),
                Arguments.of("token above version", v2(g.replace("1,'since", "10,'since") + "'x':['a']}"),
                        "grants[0] token must be between 1 and 9, was 10"),
                Arguments.of("token a string", v2("{'holder':'h','token':'1','since':0,'x':['a']}"),
                        "grants[0] token must be an integer, was string"),
                Arguments.of("since missing", v2("{'holder':'h','token':1,'x':['a']}"),
                        "grants[0] since must be an integer of nanoseconds since the epoch, was missing"),
                Arguments.of("since a float", v2("{'holder':'h','token':1,'since':1.5,'x':['a']}"),
                        "grants[0] since must be an integer of nanoseconds since the epoch, was number"),
                Arguments.of("since beyond a long", v2("{'holder':'h','token':1,'since':9223372036854775808,'x':['a']}"),
                        "grants[0] since must be an integer of nanoseconds since the epoch (a 64-bit one)"),
                Arguments.of("since a bad string", v2("{'holder':'h','token':1,'since':'yesterday','x':['a']}"),
                        "grants[0] since must be an ISO-8601 instant, was 'yesterday'"),
                Arguments.of("no names", v2(g + "'note':1}"),
                        "grants[0] has neither 'x' nor 's': a grant group must grant some lock"),
                Arguments.of("empty x", v2(g + "'x':[]}"),
                        "grants[0] 'x' must be a non-empty array of lock names, was empty"),
                Arguments.of("s null", v2(g + "'x':['a'],'s':null}"),
                        "grants[0] 's' must be a non-empty array of lock names, was null"),
                Arguments.of("x an object", v2(g + "'x':{'a':1}}"),
                        "grants[0] 'x' must be a non-empty array of lock names, was object"),
                Arguments.of("a number for a name", v2(g + "'s':['a',7]}"),
                        "grants[0] 's' must hold lock names, found number"),
                Arguments.of("empty name", v2(g + "'x':['']}"),
                        "grants[0] 'x' holds an invalid lock name: lock name must not be empty"),
                Arguments.of("control character", v2(g + "'x':['a\\u0001b']}"),
                        "grants[0] 'x' holds an invalid lock name: lock name must not contain control characters"),
                Arguments.of("name over 200", v2(g + "'x':['" + "n".repeat(201) + "']}"),
                        "grants[0] 'x' holds an invalid lock name: lock name must be at most 200 characters"),
                Arguments.of("twice in x", v2(g + "'x':['a','b','a']}"),
                        "grants[0] grants lock 'a' to holder 'h' with token 1 twice"),
                Arguments.of("twice in s", v2(g + "'s':['a','a']}"),
                        "grants[0] grants lock 'a' to holder 'h' with token 1 twice"),
                Arguments.of("in x and s", v2(g + "'x':['a'],'s':['a']}"),
                        "grants[0] grants lock 'a' to holder 'h' with token 1 twice"),
                Arguments.of("shared twice by one holder and token",
                        v2(g + "'s':['a']}," + g.replace("1767225600000000000", "1767225600000000001") + "'s':['a']}"),
                        "grants[1] grants lock 'a' to holder 'h' with token 1 twice"),
                Arguments.of("exclusive in two groups", v2(g + "'x':['a']}," + k + "'x':['a']}"),
                        "grants[1] grants lock 'a' EXCLUSIVE to holder 'k' with token 2, but it is also granted"
                                + " EXCLUSIVE to holder 'h' with token 1: an exclusive lock has exactly one grant"),
                Arguments.of("shared beside exclusive", v2(g + "'x':['a']}," + k + "'s':['a']}"),
                        "grants[1] grants lock 'a' SHARED to holder 'k' with token 2, but it is also granted EXCLUSIVE"),
                Arguments.of("exclusive beside shared", v2(g + "'s':['b','a']}," + k + "'x':['a']}"),
                        "grants[1] grants lock 'a' EXCLUSIVE to holder 'k' with token 2, but it is also granted SHARED"),
                Arguments.of("exclusive beside two shared", v2(g + "'s':['a']}," + k + "'s':['a']},"
                                + k.replace("2,'since", "3,'since") + "'x':['a']}"),
                        "grants[2] grants lock 'a' EXCLUSIVE to holder 'k' with token 3, but it is also granted SHARED"),
                Arguments.of("duplicate key in a group", v2(g + "'x':['a'],'x':['b']}"),
                        "not valid JSON: Duplicate field 'x'"),
                Arguments.of("newer format", q("{'format':3,'holders':{},'grants':[],'locks':7}"),
                        "format 3 is newer than this library understands (up to 2); upgrade Interlock"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formatTwoViolations")
    void formatTwoInvariantViolationsAreCorrupt(String what, String text, String message) {
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class, () -> codec.decode("sp", 9, text));
        assertTrue(e.getMessage().startsWith("lock space 'sp' at version 9 is unreadable: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void formatTwoAllowsWhatTheEngineDoes() {
        // one holder sharing a lock under two tokens; one holder and token in two groups of different since
        LockDocument doc = codec.decode("s", 9, v2("{'holder':'h','token':1,'since':5,'s':['a']},"
                + "{'holder':'h','token':2,'since':6,'s':['a']},"
                + "{'holder':'k','token':2,'since':6,'s':['a'],'x':['b']},"
                + "{'holder':'k','token':2,'since':7,'x':['c']}"));
        assertEquals(3, doc.locks.get("a").grants.size());
        assertEquals(LockMode.SHARED, doc.locks.get("a").mode);
        assertEquals(LockMode.EXCLUSIVE, doc.locks.get("c").mode);
        // an empty space
        String empty = codec.emptyDocument();
        assertEquals(q("{'format':2,'holders':{},'grants':[]}"), empty);
        assertTrue(codec.decode("s", 0, empty).locks.isEmpty());
    }
}
