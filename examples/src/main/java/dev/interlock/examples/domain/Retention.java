package dev.interlock.examples.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Decides, for every backup, whether the cleaner keeps or discards it, and why. A pure function of the backups,
 * the installed apps, the archives, the policy and the time: no database, no files.
 *
 * <p>Box backups are judged first, then each app's backups (newest first), by these rules in order; the first
 * that applies gives the reason:
 * <ol>
 *   <li>{@code error}: discard.</li>
 *   <li>{@code creating}: keep ({@link #CREATING}) while younger than the policy's creating timeout, else discard
 *       ({@link #CREATING_TOO_LONG}).</li>
 *   <li>archived ({@link #ARCHIVED}), or an app backup of a kept box backup ({@link #REFERENCED}): keep.</li>
 *   <li>younger than its own {@code preserve_secs} ({@link #PRESERVE_SECS}) or than the policy's
 *       {@code keepWithinSecs} ({@link #KEEP_WITHIN_SECS}; {@code -1} = always): keep.</li>
 *   <li>{@code keepDaily}, {@code keepWeekly}, {@code keepMonthly}, {@code keepYearly} = N: walking the remaining
 *       normal backups from newest to oldest, the first one met in each period is kept, for the N most recent
 *       periods that have a backup. A period whose first backup is already kept by an earlier rule counts as one of
 *       the N and gets no second one.</li>
 *   <li>the newest normal backup of an installed app: keep ({@link #LATEST}).</li>
 *   <li>anything else: discard ({@link #EXPIRED}).</li>
 * </ol>
 */
public final class Retention {
    /** Discard: the backup failed. */
    public static final String ERROR = "error";
    /** Keep: still being written, and young. */
    public static final String CREATING = "creating";
    /** Discard: still {@code creating} after the timeout. */
    public static final String CREATING_TOO_LONG = "creating-too-long";
    /** Keep: an archive refers to it. */
    public static final String ARCHIVED = "archived";
    /** Keep: an app backup of a kept box backup. */
    public static final String REFERENCED = "referenced";
    /** Keep: within its own preserve_secs. */
    public static final String PRESERVE_SECS = "preserveSecs";
    /** Keep: within the policy's keepWithinSecs. */
    public static final String KEEP_WITHIN_SECS = "keepWithinSecs";
    /** Keep: the newest backup of a day. */
    public static final String KEEP_DAILY = "keepDaily";
    /** Keep: the newest backup of an ISO week. */
    public static final String KEEP_WEEKLY = "keepWeekly";
    /** Keep: the newest backup of a month. */
    public static final String KEEP_MONTHLY = "keepMonthly";
    /** Keep: the newest backup of a year. */
    public static final String KEEP_YEARLY = "keepYearly";
    /** Keep: the newest backup of an installed app. */
    public static final String LATEST = "latest";
    /** Discard: no rule keeps it. */
    public static final String EXPIRED = "expired";

    /**
     * The verdict on one backup.
     *
     * @param backup the backup
     * @param keep   whether it is kept
     * @param reason one of the reason constants of {@link Retention}
     * @param detail the reason in words, with the numbers
     */
    public record Decision(Backup backup, boolean keep, String reason, String detail) {
        /**
         * Validates.
         *
         * @param backup the backup
         * @param keep   whether it is kept
         * @param reason one of the reason constants of {@link Retention}
         * @param detail the reason in words, with the numbers
         */
        public Decision {
            Objects.requireNonNull(backup, "backup");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    private Retention() {
    }

    /**
     * @param backups       all backups
     * @param installedApps the ids of the installed apps
     * @param archives      archive id by archived backup id
     * @param policy        the policy
     * @param now           the current time (the database's)
     * @return one decision per backup: box backups first, then app backups by app id; newest first within each
     */
    public static List<Decision> decide(Collection<Backup> backups, Set<String> installedApps,
                                        Map<String, String> archives, RetentionPolicy policy, Instant now) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(now, "now");
        Comparator<Backup> newestFirst = Comparator.comparing(Backup::creationTime).reversed()
                .thenComparing(Backup::id, Comparator.reverseOrder());
        List<Backup> boxes = new ArrayList<>();
        Map<String, List<Backup>> byApp = new TreeMap<>();
        for (Backup b : backups) {
            if (b.type() == BackupType.BOX) {
                boxes.add(b);
            } else {
                byApp.computeIfAbsent(b.identifier(), k -> new ArrayList<>()).add(b);
            }
        }
        List<Decision> out = new ArrayList<>();
        boxes.sort(newestFirst);
        Map<String, Decision> boxDecisions = judge(boxes, Set.of(), archives, false, policy, now);
        out.addAll(boxDecisions.values());
        Set<String> keptBoxes = new HashSet<>();
        boxDecisions.values().stream().filter(Decision::keep).forEach(d -> keptBoxes.add(d.backup().id()));
        for (Map.Entry<String, List<Backup>> app : byApp.entrySet()) {
            List<Backup> list = app.getValue();
            list.sort(newestFirst);
            out.addAll(judge(list, keptBoxes, archives, installedApps.contains(app.getKey()), policy, now).values());
        }
        return out;
    }

    private static Map<String, Decision> judge(List<Backup> newestFirst, Set<String> keptBoxes,
                                               Map<String, String> archives, boolean installed,
                                               RetentionPolicy policy, Instant now) {
        Map<String, Decision> decided = new LinkedHashMap<>();
        newestFirst.forEach(b -> decided.put(b.id(), null));
        for (Backup b : newestFirst) {
            Duration age = Duration.between(b.creationTime(), now);
            Decision d = null;
            if (b.state() == BackupState.ERROR) {
                d = new Decision(b, false, ERROR, "the backup failed");
            } else if (b.state() == BackupState.CREATING) {
                d = age.getSeconds() < policy.creatingTimeoutSecs()
                        ? new Decision(b, true, CREATING, "being created for " + human(age))
                        : new Decision(b, false, CREATING_TOO_LONG, "still creating after " + human(age)
                                + " (limit " + human(Duration.ofSeconds(policy.creatingTimeoutSecs())) + ")");
            } else if (archives.containsKey(b.id())) {
                d = new Decision(b, true, ARCHIVED, "archived as " + archives.get(b.id()));
            } else if (b.parentId() != null && keptBoxes.contains(b.parentId())) {
                d = new Decision(b, true, REFERENCED, "part of kept box backup " + b.parentId());
            } else if (age.getSeconds() < b.preserveSecs()) {
                d = new Decision(b, true, PRESERVE_SECS, "age " + human(age) + " < preserve_secs "
                        + human(Duration.ofSeconds(b.preserveSecs())));
            } else if (policy.keepWithinSecs() < 0) {
                d = new Decision(b, true, KEEP_WITHIN_SECS, "keepWithinSecs is -1: keep forever");
            } else if (age.getSeconds() < policy.keepWithinSecs()) {
                d = new Decision(b, true, KEEP_WITHIN_SECS, "age " + human(age) + " < keepWithinSecs "
                        + human(Duration.ofSeconds(policy.keepWithinSecs())));
            }
            decided.put(b.id(), d);
        }
        ZoneId zone = policy.zoneId();
        periods(newestFirst, decided, policy.keepDaily(), KEEP_DAILY, "day",
                t -> LocalDate.ofInstant(t, zone).toString());
        periods(newestFirst, decided, policy.keepWeekly(), KEEP_WEEKLY, "week", t -> {
            LocalDate d = LocalDate.ofInstant(t, zone);
            return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + String.format("%02d", d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        });
        periods(newestFirst, decided, policy.keepMonthly(), KEEP_MONTHLY, "month",
                t -> LocalDate.ofInstant(t, zone).toString().substring(0, 7));
        periods(newestFirst, decided, policy.keepYearly(), KEEP_YEARLY, "year",
                t -> LocalDate.ofInstant(t, zone).toString().substring(0, 4));
        if (installed) {
            for (Backup b : newestFirst) {
                if (b.state() == BackupState.NORMAL) {
                    if (decided.get(b.id()) == null) {
                        decided.put(b.id(), new Decision(b, true, LATEST, "newest backup of installed app "
                                + b.identifier()));
                    }
                    break;
                }
            }
        }
        for (Backup b : newestFirst) {
            if (decided.get(b.id()) == null) {
                decided.put(b.id(), new Decision(b, false, EXPIRED, "no rule keeps it"));
            }
        }
        return decided;
    }

    private static void periods(List<Backup> newestFirst, Map<String, Decision> decided, int n, String reason,
                                String unit, Function<Instant, String> period) {
        if (n <= 0) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (Backup b : newestFirst) {
            Decision d = decided.get(b.id());
            if (b.state() != BackupState.NORMAL || d != null && !d.keep()) {
                continue;
            }
            String p = period.apply(b.creationTime());
            if (!seen.add(p)) {
                continue;
            }
            if (d == null) {
                decided.put(b.id(), new Decision(b, true, reason, "newest of " + unit + " " + p + " (" + seen.size()
                        + " of " + n + ")"));
            }
            if (seen.size() == n) {
                return;
            }
        }
    }

    /**
     * @param d a duration
     * @return e.g. {@code 3d 2h}, {@code 5h 10m}, {@code 42s}
     */
    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 86_400) {
            return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m " + s % 60 + "s";
        }
        return s + "s";
    }
}
