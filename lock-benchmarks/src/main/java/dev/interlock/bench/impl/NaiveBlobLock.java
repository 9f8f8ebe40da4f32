package dev.interlock.bench.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.Holder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The plain versioned-blob lock that Interlock's design starts from, with none of its optimisations: every change
 * is {@code SELECT version, data} → decode (Jackson tree) → modify → encode →
 * {@code UPDATE ... SET data = ?, version = version + 1 WHERE id = ? AND version = ?}; a lost compare-and-set
 * pauses briefly ({@link Backoff#casPause}) and starts again with a new SELECT. The document has the shape of
 * Interlock's first format (holders with their process identity; per lock its mode, holders, since and token: about
 * 130 characters per lock, where format 2 groups a lease's names), in a table of the same shape. No liveness
 * checks, no reaping, no fast path, no write serialisation within a process.
 */
final class NaiveBlobLock implements BenchLock {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 100_000;

    private final BenchEnv env;
    private final String holderId = UUID.randomUUID().toString();
    private final ObjectNode holderRecord;

    NaiveBlobLock(BenchEnv env) {
        this.env = env;
        Holder me = Holder.currentProcess("bench");
        holderRecord = JSON.createObjectNode()
                .put("host", me.host())
                .put("bootId", me.bootId())
                .put("pid", me.pid())
                .put("startedAt", String.valueOf(me.startedAt()))
                .put("task", me.task());
    }

    @Override
    public Impl impl() {
        return Impl.NAIVE_BLOB;
    }

    /** One read of the document. */
    private record Row(long version, String data, String now) {
    }

    @Override
    public Held tryAcquire(String name) {
        long token = change(name, true, holderId, 0);
        return token < 0 ? null : () -> change(name, false, holderId, token);
    }

    @Override
    public Held acquire(String name, Duration maxWait) throws InterruptedException {
        return Backoff.poll(this, name, maxWait);
    }

    /**
     * Takes ({@code take}) or frees a lock by read-modify-compare-and-set until the write lands.
     *
     * @return the token of the grant or release, or -1 if the lock is held by another (take only)
     */
    private long change(String name, boolean take, String who, long token) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Row row = read();
            ObjectNode doc = decode(row.data);
            ObjectNode locks = (ObjectNode) doc.get("locks");
            if (take) {
                if (locks.has(name)) {
                    return -1;
                }
                ObjectNode holders = (ObjectNode) doc.get("holders");
                if (!holders.has(who)) {
                    holders.set(who, holderRecord.deepCopy());
                }
                ObjectNode entry = locks.putObject(name);
                entry.put("mode", "EXCLUSIVE");
                entry.putArray("holders").add(who);
                entry.put("since", row.now);
                entry.put("token", row.version + 1);
            } else {
                ObjectNode entry = (ObjectNode) locks.get(name);
                if (entry == null || entry.path("token").asLong() != token) {
                    throw new IllegalStateException("naive blob: " + name + " (token " + token + ") is no longer held");
                }
                locks.remove(name);
            }
            if (compareAndSet(row.version, encode(doc))) {
                return row.version + 1;
            }
            Backoff.casPause(attempt);
        }
        throw new IllegalStateException("naive blob: " + MAX_ATTEMPTS + " compare-and-sets in a row lost on " + name);
    }

    private Row read() {
        String sql = "SELECT `version`, `data`, DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') FROM `"
                + BenchSchema.NAIVE_TABLE + "` WHERE `id` = ?";
        for (int i = 0; i < 2; i++) {
            try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, env.space());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Row(rs.getLong(1), rs.getString(2), rs.getString(3));
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO `" + BenchSchema.NAIVE_TABLE
                        + "` (`id`, `version`, `data`) VALUES (?, 0, '{\"format\":1,\"holders\":{},\"locks\":{}}')"
                        + " ON DUPLICATE KEY UPDATE `id` = `id`")) {
                    insert.setString(1, env.space());
                    insert.executeUpdate();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("naive blob: read failed: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("naive blob: document " + env.space() + " still missing after insert");
    }

    private boolean compareAndSet(long version, String data) {
        String sql = "UPDATE `" + BenchSchema.NAIVE_TABLE
                + "` SET `data` = ?, `version` = `version` + 1 WHERE `id` = ? AND `version` = ?";
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, data);
            ps.setString(2, env.space());
            ps.setLong(3, version);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("naive blob: compare-and-set failed: " + e.getMessage(), e);
        }
    }

    private static ObjectNode decode(String data) {
        try {
            return (ObjectNode) JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("naive blob: document does not parse: " + e.getMessage(), e);
        }
    }

    private static String encode(ObjectNode doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public AutoCloseable holdOthers(List<String> names) {
        String filler = "filler-" + UUID.randomUUID();
        for (int attempt = 1; ; attempt++) {
            Row row = read();
            ObjectNode doc = decode(row.data);
            ObjectNode locks = (ObjectNode) doc.get("locks");
            ((ObjectNode) doc.get("holders")).set(filler, holderRecord.deepCopy().put("task", "filler"));
            for (String name : names) {
                ObjectNode entry = locks.putObject(name);
                entry.put("mode", "EXCLUSIVE");
                entry.putArray("holders").add(filler);
                entry.put("since", row.now);
                entry.put("token", row.version + 1);
            }
            if (compareAndSet(row.version, encode(doc))) {
                break;
            }
            Backoff.casPause(attempt);
        }
        return () -> {
            for (int attempt = 1; ; attempt++) {
                Row row = read();
                ObjectNode doc = decode(row.data);
                ObjectNode locks = (ObjectNode) doc.get("locks");
                names.forEach(locks::remove);
                ((ObjectNode) doc.get("holders")).remove(filler);
                if (compareAndSet(row.version, encode(doc))) {
                    return;
                }
                Backoff.casPause(attempt);
            }
        };
    }

    @Override
    public void close() {
        // the document is removed by BenchSchema.cleanUp
    }
}
