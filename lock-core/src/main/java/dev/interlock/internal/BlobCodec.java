package dev.interlock.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the stored text of a space into a {@link LockDocument} and back. The format is described on
 * {@link LockDocument}: this codec reads formats 1 and 2 and always writes {@value LockDocument#FORMAT}.
 *
 * <p>Decoding is strict, because a lock must never act on state it misunderstands: the text must be at most
 * {@link #maxStoredChars()} long (twice {@code maxChars}: see there), nest at most {@value #MAX_DEPTH} deep, hold no duplicate keys, have a known
 * {@code format}, and satisfy the invariants (every grant names a recorded holder, an exclusive lock has exactly
 * one grant, no lock is granted twice to one holder with one token, tokens are between 1 and the version, modes
 * and names are valid). Anything else raises {@link CorruptLockStateException}. Unknown fields are kept and
 * written back as they were, except where format 2 has no place for them (see {@link LockDocument}).
 *
 * <p>Encoding writes one grant group per (holder, token, since, unknown fields), which is one per lease as the
 * engine grants them: a lock then costs its name and a few characters. Thread-safe.
 */
public final class BlobCodec {

    /** The deepest nesting accepted; the format itself needs 4 (format 1: 5). */
    static final int MAX_DEPTH = 64;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final ObjectMapper mapper;
    private final int maxChars;
    private final int maxStoredChars;

    /** @param maxChars the longest document a request may grow the space to, in this codec's encoding */
    public BlobCodec(int maxChars) {
        this.maxChars = maxChars;
        this.maxStoredChars = 2 * maxChars;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(maxStoredChars)
                        .maxDocumentLength(maxStoredChars)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    /** @return the document of a newly created space */
    public String emptyDocument() {
        return encode(LockDocument.empty());
    }

    /**
     * @param space   for messages
     * @param version the stored version, the upper bound of every token
     * @param text    the stored text
     * @return the decoded document
     * @throws CorruptLockStateException if the text is not a valid lock document
     */
    public LockDocument decode(String space, long version, String text) {
        if (text == null) {
            throw corrupt(space, version, "the document is NULL", null);
        }
        if (text.length() > maxStoredChars) {
            throw corrupt(space, version, "the stored document is " + text.length() + " characters long, over the"
                    + " limit of " + maxStoredChars + " (twice maxDocumentSize)", null);
        }
        JsonNode root;
        try (JsonParser parser = mapper.createParser(text)) {
            root = mapper.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw corrupt(space, version, "trailing content after the JSON document", null);
            }
        } catch (JacksonException e) {
            throw corrupt(space, version, "not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return fromTree(version, root);
        } catch (Invalid e) {
            throw corrupt(space, version, e.getMessage(), null);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static CorruptLockStateException corrupt(String space, long version, String what, Throwable cause) {
        return new CorruptLockStateException(space, version, what, cause);
    }

    /** An invariant violation; turned into {@link CorruptLockStateException} with space and version. */
    private static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private LockDocument fromTree(long version, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new Invalid("the document must be a JSON object, was " + kind(root));
        }
        ObjectNode top = (ObjectNode) root; // freshly parsed: taken apart in place
        LockDocument doc = new LockDocument();
        JsonNode format = top.remove("format");
        if (format == null || !format.isIntegralNumber() || !format.canConvertToInt() || format.intValue() < 1) {
            throw new Invalid("'format' must be a positive integer, was " + kind(format));
        }
        if (format.intValue() > LockDocument.FORMAT) {
            throw new Invalid("format " + format.intValue() + " is newer than this library understands (up to "
                    + LockDocument.FORMAT + "); upgrade Interlock");
        }
        doc.format = format.intValue();
        ObjectNode holders = object(top.remove("holders"), "'holders'");
        for (Map.Entry<String, JsonNode> e : holders.properties()) {
            String id = e.getKey();
            if (id.isEmpty() || id.length() > 200) {
                throw new Invalid("holder id must be 1 to 200 characters, was " + id.length());
            }
            doc.holders.put(id, holder(id, object(e.getValue(), "holder '" + id + "'")));
        }
        if (doc.format == 1) {
            ObjectNode locks = object(top.remove("locks"), "'locks'");
            for (Map.Entry<String, JsonNode> e : locks.properties()) {
                String name = e.getKey();
                checkName(name, "");
                doc.locks.put(name, lock(name, object(e.getValue(), "lock '" + name + "'"), doc, version));
            }
            // format 2 uses this name itself: an unknown field of format 1 by that name cannot be kept
            top.remove("grants");
        } else {
            if (top.has("locks")) {
                throw new Invalid("'locks' is not a field of format 2 (its grants are in 'grants')");
            }
            JsonNode grants = top.remove("grants");
            if (grants == null || !grants.isArray()) {
                throw new Invalid("'grants' must be an array, was " + kind(grants));
            }
            grants(grants, doc, version);
        }
        JsonNode queue = top.remove("queue");
        if (queue != null && !queue.isNull()) {
            if (!queue.isArray()) {
                throw new Invalid("'queue' must be an array, was " + kind(queue));
            }
            long lastTicket = 0;
            for (JsonNode w : queue) {
                LockDocument.Waiter waiter = waiter(object(w, "queued request"), doc, version);
                if (waiter.ticket() <= lastTicket) {
                    throw new Invalid("'queue' must be ordered by ticket, found " + waiter.ticket() + " after "
                            + lastTicket);
                }
                lastTicket = waiter.ticket();
                doc.queue.add(waiter);
            }
        }
        doc.extra = top.isEmpty() ? null : top;
        return doc;
    }

    private static void checkName(String name, String where) {
        try {
            LockRequest.checkName(name);
        } catch (IllegalArgumentException bad) {
            throw new Invalid(where + "invalid lock name: " + bad.getMessage());
        }
    }

    private LockDocument.HolderRecord holder(String id, ObjectNode node) {
        String where = "holder '" + id + "'";
        String host = text(node.remove("host"), where + " host", Holder.MAX_HOST_LENGTH);
        String bootId = optionalText(node.remove("bootId"), where + " bootId");
        String pidNs = optionalText(node.remove("pidNs"), where + " pidNs");
        long pid = integer(node.remove("pid"), where + " pid", 0, Long.MAX_VALUE);
        JsonNode ticksNode = node.remove("startTicks");
        Long ticks = ticksNode == null || ticksNode.isNull() ? null
                : integer(ticksNode, where + " startTicks", 0, Long.MAX_VALUE);
        Instant startedAt = optionalInstant(node.remove("startedAt"), where + " startedAt");
        String task = optionalText(node.remove("task"), where + " task");
        String label = optionalText(node.remove("label"), where + " label");
        Instant leaseUntil = optionalInstant(node.remove("leaseUntil"), where + " leaseUntil");
        JsonNode lastWriteNode = node.remove("lastWrite");
        long lastWrite = lastWriteNode == null || lastWriteNode.isNull() ? 0
                : integer(lastWriteNode, where + " lastWrite", 0, Long.MAX_VALUE);
        Holder holder;
        try {
            holder = new Holder(host, bootId, pidNs, pid, ticks, startedAt, task, label);
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + ": " + e.getMessage());
        }
        LockDocument.HolderRecord record = new LockDocument.HolderRecord(holder, leaseUntil, node.isEmpty() ? null : node);
        record.lastWrite = lastWrite;
        return record;
    }

    /** Format 1: one entry per lock, with its mode and its grants. */
    private LockDocument.LockEntry lock(String name, ObjectNode node, LockDocument doc, long version) {
        String where = "lock '" + name + "'";
        String modeText = text(node.remove("mode"), where + " mode", 20);
        LockMode mode;
        try {
            mode = LockMode.valueOf(modeText);
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + " has unknown mode '" + modeText + "'");
        }
        JsonNode grants = node.remove("holders");
        if (grants == null || !grants.isArray() || grants.isEmpty()) {
            throw new Invalid(where + " 'holders' must be a non-empty array, was " + kind(grants));
        }
        if (mode == LockMode.EXCLUSIVE && grants.size() != 1) {
            throw new Invalid(where + " is EXCLUSIVE but has " + grants.size() + " holders");
        }
        // unknown fields of the lock entry itself are dropped: format 2 has no lock entries to keep them in
        LockDocument.LockEntry entry = new LockDocument.LockEntry(mode, null);
        Set<String> seen = new HashSet<>();
        for (JsonNode g : grants) {
            ObjectNode grant = object(g, where + " grant");
            String holder = text(grant.remove("holder"), where + " grant holder", 200);
            if (!doc.holders.containsKey(holder)) {
                throw new Invalid(where + " is granted to holder '" + holder + "', which has no record");
            }
            long token = integer(grant.remove("token"), where + " token", 1, version);
            if (!seen.add(holder + '\u0000' + token)) {
                throw new Invalid(where + " lists holder '" + holder + "' with token " + token + " twice");
            }
            Instant since = instant(grant.remove("since"), where + " since");
            // format 2 uses these names in a grant group itself: unknown fields of format 1 by them cannot be kept
            grant.remove("x");
            grant.remove("s");
            entry.grants.add(new LockDocument.GrantEntry(holder, token, since, grant.isEmpty() ? null : grant));
        }
        return entry;
    }

    /**
     * Format 2: grant groups, each the names one holder holds with one token since one instant. Builds the lock
     * entries in the order their names first appear; all grants of a group share one {@link LockDocument.GrantEntry}.
     */
    private static void grants(JsonNode groups, LockDocument doc, long version) {
        Set<String> holderTokens = null; // the (holder, token) pairs of the groups so far, once one repeats
        String firstPair = null;
        for (int i = 0; i < groups.size(); i++) {
            String where = "grants[" + i + "]";
            ObjectNode group = object(groups.get(i), where);
            String holder = text(group.remove("holder"), where + " holder", 200);
            if (!doc.holders.containsKey(holder)) {
                throw new Invalid(where + " is granted to holder '" + holder + "', which has no record");
            }
            long token = integer(group.remove("token"), where + " token", 1, version);
            Instant since = since(group.remove("since"), where + " since");
            JsonNode exclusive = group.remove("x");
            JsonNode shared = group.remove("s");
            if (exclusive == null && shared == null) {
                throw new Invalid(where + " has neither 'x' nor 's': a grant group must grant some lock");
            }
            // the same holder and token in two groups (they differ in since or unknown fields): only then can a
            // name be granted twice across groups, which the entries' grants are searched for
            String pair = holder + '\u0000' + token;
            boolean repeated;
            if (firstPair == null) {
                firstPair = pair;
                repeated = false;
            } else {
                if (holderTokens == null) {
                    holderTokens = new HashSet<>();
                    holderTokens.add(firstPair);
                }
                repeated = !holderTokens.add(pair);
            }
            LockDocument.GrantEntry grant = new LockDocument.GrantEntry(holder, token, since,
                    group.isEmpty() ? null : group);
            if (exclusive != null) {
                names(exclusive, where, "'x'", LockMode.EXCLUSIVE, grant, repeated, doc);
            }
            if (shared != null) {
                names(shared, where, "'s'", LockMode.SHARED, grant, repeated, doc);
            }
        }
    }

    private static void names(JsonNode names, String where, String field, LockMode mode,
                              LockDocument.GrantEntry grant, boolean repeated, LockDocument doc) {
        if (!names.isArray() || names.isEmpty()) {
            throw new Invalid(where + " " + field + " must be a non-empty array of lock names, was "
                    + (names.isArray() ? "empty" : kind(names)));
        }
        for (JsonNode n : names) {
            if (!n.isTextual()) {
                throw new Invalid(where + " " + field + " must hold lock names, found " + kind(n));
            }
            String name = n.textValue();
            checkName(name, where + " " + field + " holds an ");
            LockDocument.LockEntry entry = doc.locks.get(name);
            if (entry == null) {
                entry = new LockDocument.LockEntry(mode, null);
                doc.locks.put(name, entry);
            } else {
                List<LockDocument.GrantEntry> others = entry.grants;
                // a name seen earlier in this group has this group's grant last
                boolean twice = others.get(others.size() - 1) == grant;
                if (!twice && repeated) {
                    for (LockDocument.GrantEntry other : others) {
                        twice |= other.token() == grant.token() && other.holder().equals(grant.holder());
                    }
                }
                if (twice) {
                    throw new Invalid(where + " grants lock '" + name + "' to holder '" + grant.holder()
                            + "' with token " + grant.token() + " twice");
                }
                if (mode == LockMode.EXCLUSIVE || entry.mode == LockMode.EXCLUSIVE) {
                    LockDocument.GrantEntry other = others.get(0);
                    throw new Invalid(where + " grants lock '" + name + "' " + mode + " to holder '"
                            + grant.holder() + "' with token " + grant.token() + ", but it is also granted "
                            + entry.mode + " to holder '" + other.holder() + "' with token " + other.token()
                            + ": an exclusive lock has exactly one grant");
                }
            }
            entry.grants.add(grant);
        }
    }

    private LockDocument.Waiter waiter(ObjectNode node, LockDocument doc, long version) {
        String holder = text(node.remove("holder"), "queued request holder", 200);
        String where = "queued request of '" + holder + "'";
        if (!doc.holders.containsKey(holder)) {
            throw new Invalid(where + " names a holder that has no record");
        }
        long ticket = integer(node.remove("ticket"), where + " ticket", 1, version);
        ObjectNode locks = object(node.remove("locks"), where + " locks");
        java.util.TreeMap<String, LockMode> wanted = new java.util.TreeMap<>();
        for (Map.Entry<String, JsonNode> e : locks.properties()) {
            String modeText = text(e.getValue(), where + " mode", 20);
            try {
                wanted.put(e.getKey(), LockMode.valueOf(modeText));
            } catch (IllegalArgumentException bad) {
                throw new Invalid(where + " has unknown mode '" + modeText + "'");
            }
        }
        try {
            new LockRequest(wanted);
        } catch (IllegalArgumentException bad) {
            throw new Invalid(where + ": " + bad.getMessage());
        }
        Instant since = instant(node.remove("since"), where + " since");
        return new LockDocument.Waiter(holder, ticket, java.util.Collections.unmodifiableMap(wanted), since,
                node.isEmpty() ? null : node);
    }

    private static ObjectNode object(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new Invalid(what + " must be an object, was " + kind(node));
        }
        return (ObjectNode) node;
    }

    private static String text(JsonNode node, String what, int max) {
        if (node == null || !node.isTextual()) {
            throw new Invalid(what + " must be a string, was " + kind(node));
        }
        String s = node.textValue();
        if (s.isEmpty() || s.length() > max) {
            throw new Invalid(what + " must be 1 to " + max + " characters, was " + s.length());
        }
        return s;
    }

    private static String optionalText(JsonNode node, String what) {
        return node == null || node.isNull() ? null : text(node, what, Holder.MAX_TEXT_LENGTH);
    }

    private static long integer(JsonNode node, String what, long min, long max) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new Invalid(what + " must be an integer, was " + kind(node));
        }
        long v = node.longValue();
        if (v < min || v > max) {
            throw new Invalid(what + " must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    private static Instant instant(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new Invalid(what + " must be an ISO-8601 instant, was " + kind(node));
        }
        try {
            return Instant.parse(node.textValue());
        } catch (DateTimeParseException e) {
            throw new Invalid(what + " must be an ISO-8601 instant, was '" + shorten(node.textValue()) + "'");
        }
    }

    /**
     * A grant's since in format 2: integer nanoseconds since the epoch, or an ISO-8601 instant for one that does not
     * fit a {@code long} of them (before 1677 or after 2262), which is how {@link #writeSince} writes it.
     */
    private static Instant since(JsonNode node, String what) {
        if (node != null && node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw new Invalid(what + " must be an integer of nanoseconds since the epoch (a 64-bit one), was "
                        + shorten(node.asText()));
            }
            long nanos = node.longValue();
            return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND),
                    Math.floorMod(nanos, NANOS_PER_SECOND));
        }
        if (node != null && node.isTextual()) {
            return instant(node, what);
        }
        throw new Invalid(what + " must be an integer of nanoseconds since the epoch, was " + kind(node));
    }

    private static Instant optionalInstant(JsonNode node, String what) {
        return node == null || node.isNull() ? null : instant(node, what);
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @param doc the document
     * @return its JSON text in format {@value LockDocument#FORMAT}, whatever format it was read in: known fields
     *     first, then the unknown ones as they were read
     */
    public String encode(LockDocument doc) {
        List<Group> groups = groups(doc);
        StringWriter out = new StringWriter(256 + 256 * doc.holders.size() + 96 * groups.size()
                + 16 * doc.locks.size());
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", LockDocument.FORMAT);
            g.writeObjectFieldStart("holders");
            for (Map.Entry<String, LockDocument.HolderRecord> e : doc.holders.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                Holder h = e.getValue().holder;
                g.writeStringField("host", h.host());
                optional(g, "bootId", h.bootId());
                optional(g, "pidNs", h.pidNamespace());
                g.writeNumberField("pid", h.pid());
                if (h.startTicks() != null) {
                    g.writeNumberField("startTicks", h.startTicks());
                }
                optional(g, "startedAt", h.startedAt() == null ? null : h.startedAt().toString());
                optional(g, "task", h.task());
                optional(g, "label", h.label());
                optional(g, "leaseUntil", e.getValue().leaseUntil == null ? null : e.getValue().leaseUntil.toString());
                if (e.getValue().lastWrite > 0) {
                    g.writeNumberField("lastWrite", e.getValue().lastWrite);
                }
                writeExtra(g, e.getValue().extra);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("grants");
            for (Group group : groups) {
                g.writeStartObject();
                g.writeStringField("holder", group.grant.holder());
                g.writeNumberField("token", group.grant.token());
                g.writeFieldName("since");
                writeSince(g, group.grant.since());
                writeNames(g, "x", group.exclusive);
                writeNames(g, "s", group.shared);
                writeExtra(g, group.grant.extra());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!doc.queue.isEmpty()) {
                g.writeArrayFieldStart("queue");
                for (LockDocument.Waiter w : doc.queue) {
                    g.writeStartObject();
                    g.writeStringField("holder", w.holder());
                    g.writeNumberField("ticket", w.ticket());
                    g.writeObjectFieldStart("locks");
                    for (Map.Entry<String, LockMode> e : w.locks().entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue().name());
                    }
                    g.writeEndObject();
                    g.writeStringField("since", w.since().toString());
                    writeExtra(g, w.extra());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            writeExtra(g, doc.extra);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * The names of one grant group: the grants of one holder with one token since one instant, with the same
     * unknown fields. Compared by those, the names aside.
     */
    private static final class Group {
        final LockDocument.GrantEntry grant;
        /** The order of first appearance, which breaks ties in the sort. */
        final int order;
        List<String> exclusive;
        List<String> shared;

        Group(LockDocument.GrantEntry grant, int order) {
            this.grant = grant;
            this.order = order;
        }

        boolean holds(LockDocument.GrantEntry g) {
            LockDocument.GrantEntry mine = grant;
            return g == mine || (g.token() == mine.token() && g.holder().equals(mine.holder())
                    && g.since().equals(mine.since()) && Objects.equals(g.extra(), mine.extra()));
        }

        void add(String name, LockMode mode) {
            if (mode == LockMode.EXCLUSIVE) {
                if (exclusive == null) {
                    exclusive = new ArrayList<>();
                }
                exclusive.add(name);
            } else {
                if (shared == null) {
                    shared = new ArrayList<>();
                }
                shared.add(name);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Group other && holds(other.grant);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(grant.token()) * 31 + grant.holder().hashCode();
        }
    }

    private static final Comparator<Group> GROUP_ORDER = Comparator.<Group>comparingLong(gr -> gr.grant.token())
            .thenComparing(gr -> gr.grant.holder())
            .thenComparing(gr -> gr.grant.since())
            .thenComparingInt(gr -> gr.order);

    /**
     * Groups the grants of {@code doc}, in order of token, holder and since (then first appearance); names within a
     * group in the order of the document's locks. Consecutive grants of one group, the usual case (a lease's names
     * are granted together), cost no lookup.
     */
    private static List<Group> groups(LockDocument doc) {
        List<Group> groups = new ArrayList<>();
        Map<Group, Group> index = new HashMap<>();
        Group last = null;
        for (Map.Entry<String, LockDocument.LockEntry> e : doc.locks.entrySet()) {
            LockMode mode = e.getValue().mode;
            for (LockDocument.GrantEntry grant : e.getValue().grants) {
                if (last == null || !last.holds(grant)) {
                    Group fresh = new Group(grant, groups.size());
                    last = index.putIfAbsent(fresh, fresh);
                    if (last == null) {
                        last = fresh;
                        groups.add(fresh);
                    }
                }
                last.add(e.getKey(), mode);
            }
        }
        groups.sort(GROUP_ORDER);
        return groups;
    }

    private static void writeNames(JsonGenerator g, String field, List<String> names) throws IOException {
        if (names != null) {
            g.writeArrayFieldStart(field);
            for (String name : names) {
                g.writeString(name);
            }
            g.writeEndArray();
        }
    }

    /** Writes {@code since} as integer nanoseconds since the epoch; see {@link #since}. */
    private static void writeSince(JsonGenerator g, Instant since) throws IOException {
        long seconds = since.getEpochSecond();
        long nano = since.getNano();
        if (seconds < 0 && nano > 0) { // so that the long's smallest value can be reached without overflow
            seconds++;
            nano -= NANOS_PER_SECOND;
        }
        long nanos;
        try {
            nanos = Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nano);
        } catch (ArithmeticException outsideTheYears1677To2262) {
            g.writeString(since.toString());
            return;
        }
        g.writeNumber(nanos);
    }

    private static void optional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    private void writeExtra(JsonGenerator g, ObjectNode extra) throws IOException {
        if (extra == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : extra.properties()) {
            g.writeFieldName(e.getKey());
            mapper.writeTree(g, e.getValue());
        }
    }

    /**
     * @return the longest document, in this codec's encoding, that a grant or a queued request may grow the space
     *     to ({@code maxDocumentSize})
     */
    public int maxChars() {
        return maxChars;
    }

    /**
     * The longest stored text read, and the hard bound of any write: twice {@link #maxChars()}. The text a server
     * returns is not always the text written: MySQL keeps a {@code JSON} column in a binary form and renders it with
     * a space after every {@code :} and {@code ,} (up to half as long again for this format), and writes that add
     * nothing (releases, renewals, reaping) may still lengthen a document a little (a lease's end, a write id). So
     * the limit that requests meet is {@link #maxChars()} on the engine's own encoding, and what every reader accepts
     * is twice that: whatever a server returns for a document the engine wrote decodes.
     *
     * @return twice {@link #maxChars()}
     */
    public int maxStoredChars() {
        return maxStoredChars;
    }

    /**
     * The hard bound of any write, in this codec's encoding: a third over {@link #maxChars()}, so that a server's
     * rendering of it (up to half as long again for this format, see {@link #maxStoredChars()}) stays readable.
     *
     * @return {@code maxChars + maxChars / 3}
     */
    public int maxWrittenChars() {
        return maxChars + maxChars / 3;
    }
}
