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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns the stored text of a space into a {@link LockDocument} and back.
 *
 * <p>Decoding is strict, because a lock must never act on state it misunderstands: the text must be at most
 * {@code maxChars} long, nest at most {@value #MAX_DEPTH} deep, hold no duplicate keys, have a known
 * {@code format}, and satisfy the invariants (every grant names a recorded holder, an exclusive lock has exactly
 * one grant, tokens are between 1 and the version, modes and names are valid). Anything else raises
 * {@link CorruptLockStateException}. Unknown fields are kept and written back as they were. Thread-safe.
 */
public final class BlobCodec {

    /** The deepest nesting accepted; the format itself needs 5. */
    static final int MAX_DEPTH = 64;

    private final ObjectMapper mapper;
    private final int maxChars;

    /** @param maxChars the longest document accepted or produced */
    public BlobCodec(int maxChars) {
        this.maxChars = maxChars;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(maxChars)
                        .maxDocumentLength(maxChars)
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
        if (text.length() > maxChars) {
            throw corrupt(space, version, "the document is " + text.length() + " characters long, over the limit of "
                    + maxChars + " (maxDocumentSize)", null);
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
        ObjectNode locks = object(top.remove("locks"), "'locks'");
        for (Map.Entry<String, JsonNode> e : locks.properties()) {
            String name = e.getKey();
            try {
                LockRequest.checkName(name);
            } catch (IllegalArgumentException bad) {
                throw new Invalid("invalid lock name: " + bad.getMessage());
            }
            doc.locks.put(name, lock(name, object(e.getValue(), "lock '" + name + "'"), doc, version));
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
        LockDocument.LockEntry entry = new LockDocument.LockEntry(mode, node.isEmpty() ? null : node);
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
            entry.grants.add(new LockDocument.GrantEntry(holder, token, since, grant.isEmpty() ? null : grant));
        }
        return entry;
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
     * @return its JSON text: known fields first, then the unknown ones as they were read
     */
    public String encode(LockDocument doc) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", doc.format);
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
            g.writeObjectFieldStart("locks");
            for (Map.Entry<String, LockDocument.LockEntry> e : doc.locks.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("mode", e.getValue().mode.name());
                g.writeArrayFieldStart("holders");
                for (LockDocument.GrantEntry grant : e.getValue().grants) {
                    g.writeStartObject();
                    g.writeStringField("holder", grant.holder());
                    g.writeNumberField("token", grant.token());
                    g.writeStringField("since", grant.since().toString());
                    writeExtra(g, grant.extra());
                    g.writeEndObject();
                }
                g.writeEndArray();
                writeExtra(g, e.getValue().extra);
                g.writeEndObject();
            }
            g.writeEndObject();
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

    /** @return the longest document accepted or produced, in characters */
    public int maxChars() {
        return maxChars;
    }
}
