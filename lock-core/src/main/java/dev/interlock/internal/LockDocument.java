package dev.interlock.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.Holder;
import dev.interlock.LockMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The decoded lock document of one space: a mutable working copy, decoded fresh for every decision and
 * encoded again for the compare-and-set. Fields this library does not know are kept in {@code extra} at
 * every level and written back unchanged.
 *
 * <p>Format 2, the one written:
 *
 * <pre>{@code
 * { "format": 2,
 *   "holders": { "<holderId>": { "host": "box-1", "bootId": "...", "pidNs": "4026531836", "pid": 4242,
 *                                "startTicks": 1234, "startedAt": "...", "task": "backup-17",
 *                                "leaseUntil": "...", "lastWrite": 17 } },
 *   "grants": [ { "holder": "<holderId>", "token": 42, "since": 1795812601123456000,
 *                 "x": [ "app:3f2a", "app:77" ], "s": [ "platform" ] } ],
 *   "queue": [ { "holder": "<holderId>", "ticket": 40, "locks": { "platform": "EXCLUSIVE" }, "since": "..." } ] }
 * }</pre>
 *
 * <p>{@code grants} holds one <em>grant group</em> per holder, token and since (and unknown fields), which is one
 * per lease as the engine grants them: {@code x} lists the names it holds {@code EXCLUSIVE}, {@code s} those it
 * holds {@code SHARED}; an empty list is left out, and a group has at least one. A held lock thus costs its name
 * and a few characters. Groups are written in order of token, then holder, then since; names in the order of
 * {@link #locks}. The in-memory model is per lock ({@link #locks}: name to mode and grants), as the engine needs it;
 * decoding builds it from the groups, in the order names first appear, and checks what the per-lock shape made
 * obvious: an {@code EXCLUSIVE} name appears in exactly one group, once, and a {@code SHARED} one never twice with
 * the same holder and token. A grant's {@code since} is an integer of nanoseconds since the epoch, exact for every
 * instant the engine uses (the store's clock has microseconds, the engine extrapolates it with
 * {@link System#nanoTime()}); an instant outside the years 1677 to 2262, which no store clock gives, is written as
 * an ISO-8601 string instead, and both forms are read. The other instants ({@code startedAt}, {@code leaseUntil},
 * a queued request's {@code since}) stay ISO-8601 strings: they occur once per holder or queued request, not per
 * lock.
 *
 * <p>Format 1 is still read; the next write turns it into format 2 (so every process sharing a space must run a
 * library that reads format 2 before any of them writes it). Its {@code locks} object keyed each name to
 * {@code {"mode": "EXCLUSIVE", "holders": [{"holder": "<holderId>", "token": 42, "since": "<ISO-8601>"}]}}, about
 * 130 characters per lock. Converting loses only unknown fields that format 2 has no place for, and which no
 * version of this library wrote: those of a lock entry itself (format 2 has none), a top-level {@code grants}, and
 * {@code x} or {@code s} beside a grant (format 2 uses these names); a grant's other unknown fields become its
 * group's.
 *
 * <p>{@code queue} (absent when empty) lists the requests waiting in fair mode, oldest ticket first: a request
 * may not be granted while an older queued request conflicts with it, so a stream of small requests cannot
 * starve a large one.
 *
 * <p>{@code lastWrite} is the write id of the holder's latest write: only the holder itself sets it, so after a
 * lost reply the holder tells whether its write was applied by reading it back, however many writes of
 * others came after. Optional fields are left out rather than written as null.
 *
 * <p>Each grant carries its own token and since: a shared lock is granted to several holders at different
 * versions, so one token per lock (as the first sketch of the format had it) could not fence them apart.
 */
public final class LockDocument {

    /** The format this library writes and the newest it reads (it reads format 1 too). */
    public static final int FORMAT = 2;

    /** The format the document was read in; it is always written in {@link #FORMAT}. */
    int format = FORMAT;
    final Map<String, HolderRecord> holders = new LinkedHashMap<>();
    final Map<String, LockEntry> locks = new LinkedHashMap<>();
    /** Queued requests, ordered by ticket. */
    final List<Waiter> queue = new ArrayList<>();
    ObjectNode extra;
    /** The grant {@link #grant} made last, reused for the next names of the same lease. */
    private GrantEntry lastGrant;

    /** One holder's record. */
    static final class HolderRecord {
        Holder holder;
        Instant leaseUntil;
        /** The holder's own sequence number of its latest write; 0 if none recorded. */
        long lastWrite;
        ObjectNode extra;

        HolderRecord(Holder holder, Instant leaseUntil, ObjectNode extra) {
            this.holder = holder;
            this.leaseUntil = leaseUntil;
            this.extra = extra;
        }
    }

    /** One held lock. */
    static final class LockEntry {
        LockMode mode;
        final List<GrantEntry> grants = new ArrayList<>(1);
        /**
         * Unknown fields of the lock entry: format 2 has no lock entries, so they are neither read (format 1's are
         * dropped) nor written; always {@code null} from the codec.
         */
        ObjectNode extra;
        /**
         * Set once a {@linkplain #copy() copy} of the document refers to this entry too: from then on neither
         * document changes it, each changes a copy of its own ({@link #writable}).
         */
        boolean shared;

        LockEntry(LockMode mode, ObjectNode extra) {
            this.mode = mode;
            this.extra = extra;
        }
    }

    /** @return the entry of {@code name}, copied into this document first if it is shared with another */
    private LockEntry writable(String name, LockEntry entry) {
        if (!entry.shared) {
            return entry;
        }
        LockEntry own = new LockEntry(entry.mode, entry.extra);
        own.grants.addAll(entry.grants);
        locks.put(name, own);
        return own;
    }

    /**
     * One grant of a lock to a holder. Immutable (the unknown fields are never changed), so the grants of one lease
     * share one instance, as decoding a grant group and {@link #grant} make them.
     */
    record GrantEntry(String holder, long token, Instant since, ObjectNode extra) {
    }

    /** A queued request: its holder, its ticket (the version that queued it), what it asks for, since when. */
    record Waiter(String holder, long ticket, Map<String, LockMode> locks, Instant since, ObjectNode extra) {

        /** @return whether this queued request conflicts with a request for {@code wanted} */
        boolean conflictsWith(Map<String, LockMode> wanted) {
            for (Map.Entry<String, LockMode> e : wanted.entrySet()) {
                LockMode mine = locks.get(e.getKey());
                if (mine != null && !mine.compatibleWith(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * @return a working copy: its holder records and lists are its own; its lock entries are shared with this
     *     document until either changes one (copy-on-write: a {@link LockEntry}'s grants change only through
     *     {@link #grant}, {@link #removeGrant} and {@link #removeGrants}, which copy a shared entry first);
     *     grants, queued requests and unknown fields, which are never changed, are shared
     */
    LockDocument copy() {
        LockDocument copy = new LockDocument();
        copy.format = format;
        copy.extra = extra;
        holders.forEach((id, r) -> {
            HolderRecord h = new HolderRecord(r.holder, r.leaseUntil, r.extra);
            h.lastWrite = r.lastWrite;
            copy.holders.put(id, h);
        });
        // the lock entries are shared, not copied: a document with many locks is copied for every write, and a
        // write changes few of them (see writable)
        locks.forEach((name, e) -> {
            e.shared = true;
            copy.locks.put(name, e);
        });
        copy.queue.addAll(queue);
        return copy;
    }

    /** @return an empty document */
    static LockDocument empty() {
        return new LockDocument();
    }

    /**
     * Adds a grant, creating the lock entry if needed. The caller has checked compatibility and removed the
     * grants that did not count (dead holders', orphans); anything else beside the new grant is a bug, and the
     * document is never written with it.
     *
     * @throws IllegalStateException if the grant would sit beside an incompatible one
     */
    void grant(String name, LockMode mode, String holderId, long token, Instant since) {
        LockEntry entry = locks.get(name);
        if (entry == null) {
            entry = new LockEntry(mode, null);
            locks.put(name, entry);
        } else if (!mode.compatibleWith(entry.mode)) {
            throw new IllegalStateException("internal error: granting " + name + " " + mode + " beside "
                    + entry.grants.size() + " " + entry.mode + " grants; nothing was written");
        } else {
            entry = writable(name, entry);
        }
        GrantEntry grant = lastGrant;
        if (grant == null || grant.token() != token || !grant.holder().equals(holderId)
                || !grant.since().equals(since)) {
            grant = new GrantEntry(holderId, token, since, null);
            lastGrant = grant;
        }
        entry.grants.add(grant);
    }

    /**
     * Removes the grants that match, and lock entries left without grants.
     *
     * @param onRemoved called with the lock name of each removed grant
     * @return how many grants were removed
     */
    int removeGrants(java.util.function.BiPredicate<String, GrantEntry> match,
                     java.util.function.BiConsumer<String, GrantEntry> onRemoved) {
        int removed = 0;
        for (Iterator<Map.Entry<String, LockEntry>> it = locks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, LockEntry> e = it.next();
            List<GrantEntry> kept = null; // the entry's grants once one of them goes
            List<GrantEntry> grants = e.getValue().grants;
            for (int i = 0; i < grants.size(); i++) {
                GrantEntry grant = grants.get(i);
                if (match.test(e.getKey(), grant)) {
                    if (kept == null) {
                        kept = new ArrayList<>(grants.subList(0, i));
                    }
                    removed++;
                    onRemoved.accept(e.getKey(), grant);
                } else if (kept != null) {
                    kept.add(grant);
                }
            }
            if (kept == null) {
                continue;
            }
            if (kept.isEmpty()) {
                it.remove();
            } else {
                LockEntry own = new LockEntry(e.getValue().mode, e.getValue().extra); // never the shared one
                own.grants.addAll(kept);
                e.setValue(own);
            }
        }
        return removed;
    }

    /** Removes the grant of {@code holderId} with {@code token} on one lock; returns whether it was there. */
    boolean removeGrant(String name, String holderId, long token) {
        LockEntry entry = locks.get(name);
        if (entry == null || !hasGrant(name, holderId, token)) {
            return false;
        }
        entry = writable(name, entry);
        entry.grants.removeIf(g -> g.token() == token && g.holder().equals(holderId));
        if (entry.grants.isEmpty()) {
            locks.remove(name);
        }
        return true;
    }

    /** @return whether {@code holderId} holds a grant with {@code token} on lock {@code name} */
    /**
     * @param holderId a holder
     * @return the names it holds, by the token of their grant
     */
    Map<Long, Set<String>> namesByToken(String holderId) {
        Map<Long, Set<String>> byToken = new HashMap<>();
        locks.forEach((name, entry) -> {
            for (GrantEntry g : entry.grants) {
                if (g.holder().equals(holderId)) {
                    byToken.computeIfAbsent(g.token(), t -> new HashSet<>()).add(name);
                }
            }
        });
        return byToken;
    }

    boolean hasGrant(String name, String holderId, long token) {
        LockEntry entry = locks.get(name);
        if (entry == null) {
            return false;
        }
        for (GrantEntry g : entry.grants) {
            if (g.token() == token && g.holder().equals(holderId)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether any grant belongs to {@code holderId} */
    boolean holdsAnything(String holderId) {
        for (LockEntry entry : locks.values()) {
            for (GrantEntry g : entry.grants) {
                if (g.holder().equals(holderId)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops the record of {@code holderId} if no grant or queued request refers to it any more. */
    void dropHolderIfIdle(String holderId) {
        if (holders.containsKey(holderId) && !holdsAnything(holderId) && !isQueued(holderId)) {
            holders.remove(holderId);
        }
    }

    /** @return whether {@code holderId} has a queued request */
    boolean isQueued(String holderId) {
        for (Waiter w : queue) {
            if (w.holder().equals(holderId)) {
                return true;
            }
        }
        return false;
    }

    /** Removes the queued requests that match; returns how many. */
    int removeWaiters(Predicate<Waiter> match) {
        int before = queue.size();
        queue.removeIf(match);
        return before - queue.size();
    }
}
