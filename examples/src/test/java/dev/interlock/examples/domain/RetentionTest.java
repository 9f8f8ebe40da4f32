package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The cleaner's rules on hand-made histories: one reason per backup, exactly as documented. */
class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final AppConfig CONFIG = new AppConfig(AppConfig.manifest("org.example.wiki", "Wiki", "1.0.0"), "",
            List.of(), Map.of());

    private final List<Backup> history = new ArrayList<>();
    private int serial;

    private Backup add(BackupType type, String identifier, Duration age, BackupState state, long preserveSecs,
                       String parent) {
        String id = type.sql() + "-" + identifier + "-" + (serial++);
        Backup b = new Backup(id, type, identifier, type.sql() + "/" + identifier + "/" + id, BackupFormat.TGZ, state,
                null, "1.0.0", type == BackupType.APP ? CONFIG : null, preserveSecs, "", parent, NOW.minus(age));
        history.add(b);
        return b;
    }

    private Backup app(String app, Duration age) {
        return add(BackupType.APP, app, age, BackupState.NORMAL, 0, null);
    }

    private Map<String, String> reasons(RetentionPolicy policy, Set<String> installed, Map<String, String> archives) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Retention.Decision d : Retention.decide(history, installed, archives, policy, NOW)) {
            out.put(d.backup().id(), (d.keep() ? "keep " : "discard ") + d.reason());
        }
        return out;
    }

    private static RetentionPolicy policy(long keepWithinSecs, int daily, int weekly, int monthly, int yearly) {
        return new RetentionPolicy(keepWithinSecs, daily, weekly, monthly, yearly, 24 * 3600, "UTC");
    }

    @Test
    void everyRuleGivesItsReason() {
        Backup error = add(BackupType.APP, "wiki", Duration.ofMinutes(1), BackupState.ERROR, 0, null);
        Backup young = add(BackupType.APP, "wiki", Duration.ofHours(2), BackupState.CREATING, 0, null);
        Backup stuck = add(BackupType.APP, "wiki", Duration.ofHours(30), BackupState.CREATING, 0, null);
        Backup keptBox = add(BackupType.BOX, "box", Duration.ofMinutes(30), BackupState.NORMAL, 0, null);
        Backup child = add(BackupType.APP, "wiki", Duration.ofMinutes(30), BackupState.NORMAL, 0, keptBox.id());
        Backup oldBox = add(BackupType.BOX, "box", Duration.ofDays(400), BackupState.NORMAL, 0, null);
        Backup orphanChild = add(BackupType.APP, "wiki", Duration.ofDays(400), BackupState.NORMAL, 0, oldBox.id());
        Backup archived = app("wiki", Duration.ofDays(300));
        Backup preserved = add(BackupType.APP, "wiki", Duration.ofDays(20), BackupState.NORMAL, 30 * 86_400, null);
        Backup within = app("chat", Duration.ofMinutes(50));
        Backup expired = app("chat", Duration.ofDays(3));

        Map<String, String> reasons = reasons(policy(3600, 0, 0, 0, 0), Set.of(),
                Map.of(archived.id(), "archive-1"));

        assertEquals("discard error", reasons.get(error.id()));
        assertEquals("keep creating", reasons.get(young.id()));
        assertEquals("discard creating-too-long", reasons.get(stuck.id()));
        assertEquals("keep keepWithinSecs", reasons.get(keptBox.id()));
        assertEquals("keep referenced", reasons.get(child.id()), "an app backup of a kept box backup is kept");
        assertEquals("discard expired", reasons.get(oldBox.id()));
        assertEquals("discard expired", reasons.get(orphanChild.id()), "its box backup is not kept");
        assertEquals("keep archived", reasons.get(archived.id()));
        assertEquals("keep preserveSecs", reasons.get(preserved.id()));
        assertEquals("keep keepWithinSecs", reasons.get(within.id()));
        assertEquals("discard expired", reasons.get(expired.id()));
        assertEquals(history.size(), reasons.size(), "every backup gets a verdict");
    }

    @Test
    void rulesApplyInTheDocumentedOrder() {
        // An error backup that is archived and young is still discarded: error comes first.
        Backup errorArchived = add(BackupType.APP, "wiki", Duration.ofMinutes(1), BackupState.ERROR, 86_400, null);
        // A creating backup under a kept box is judged as creating.
        Backup box = add(BackupType.BOX, "box", Duration.ofMinutes(1), BackupState.NORMAL, 0, null);
        Backup creatingChild = add(BackupType.APP, "wiki", Duration.ofDays(2), BackupState.CREATING, 0, box.id());
        Map<String, String> reasons = reasons(policy(-1, 0, 0, 0, 0), Set.of("wiki"),
                Map.of(errorArchived.id(), "archive-1"));
        assertEquals("discard error", reasons.get(errorArchived.id()));
        assertEquals("discard creating-too-long", reasons.get(creatingChild.id()));
        assertEquals("keep keepWithinSecs", reasons.get(box.id()), "keepWithinSecs -1 keeps forever");
    }

    @Test
    void periodsKeepTheNewestBackupOfEachOfTheLastNPeriods() {
        // two a day for five days, newest first
        List<Backup> byDay = new ArrayList<>();
        for (int day = 0; day < 5; day++) {
            byDay.add(app("wiki", Duration.ofDays(day).plusHours(1)));
            byDay.add(app("wiki", Duration.ofDays(day).plusHours(2)));
        }
        Map<String, String> reasons = reasons(policy(0, 3, 0, 0, 0), Set.of(), Map.of());
        List<String> kept = byDay.stream().filter(b -> reasons.get(b.id()).startsWith("keep")).map(Backup::id)
                .collect(Collectors.toList());
        assertEquals(List.of(byDay.get(0).id(), byDay.get(2).id(), byDay.get(4).id()), kept,
                "the newest of each of the last three days: " + reasons);
        assertTrue(kept.stream().allMatch(id -> reasons.get(id).equals("keep keepDaily")));
        assertEquals("discard expired", reasons.get(byDay.get(1).id()), "the older one of a kept day goes");
    }

    @Test
    void aPeriodAlreadyRepresentedByAKeptBackupCountsAndGetsNoSecond() {
        Backup today = app("wiki", Duration.ofHours(1));            // kept by keepWithinSecs
        Backup todayOlder = app("wiki", Duration.ofHours(5));       // same day
        Backup yesterday = app("wiki", Duration.ofDays(1).plusHours(1));
        Backup twoDaysAgo = app("wiki", Duration.ofDays(2).plusHours(1));
        Map<String, String> reasons = reasons(policy(2 * 3600, 2, 0, 0, 0), Set.of(), Map.of());
        assertEquals("keep keepWithinSecs", reasons.get(today.id()));
        assertEquals("discard expired", reasons.get(todayOlder.id()));
        assertEquals("keep keepDaily", reasons.get(yesterday.id()));
        assertEquals("discard expired", reasons.get(twoDaysAgo.id()), "today counted as one of the two days");
    }

    @Test
    void weeklyMonthlyAndYearlyCountTheirOwnPeriods() {
        Backup week0 = app("wiki", Duration.ofDays(1));   // 2026-11-26, ISO week 48
        Backup week1 = app("wiki", Duration.ofDays(8));   // 2026-11-19, week 47
        Backup month1 = app("wiki", Duration.ofDays(40)); // 2026-10-18
        Backup year1 = app("wiki", Duration.ofDays(400)); // 2025-10-23
        Backup tooOld = app("wiki", Duration.ofDays(800)); // 2024
        Map<String, String> reasons = reasons(policy(0, 1, 2, 2, 2), Set.of(), Map.of());
        assertEquals("keep keepDaily", reasons.get(week0.id()));
        assertEquals("keep keepWeekly", reasons.get(week1.id()));
        assertEquals("keep keepMonthly", reasons.get(month1.id()));
        assertEquals("keep keepYearly", reasons.get(year1.id()));
        assertEquals("discard expired", reasons.get(tooOld.id()));
    }

    @Test
    void theNewestBackupOfAnInstalledAppIsAlwaysKept() {
        Backup wikiNewest = app("wiki", Duration.ofDays(30));
        Backup wikiOlder = app("wiki", Duration.ofDays(60));
        Backup wikiErrorNewer = add(BackupType.APP, "wiki", Duration.ofDays(1), BackupState.ERROR, 0, null);
        Backup gone = app("forum", Duration.ofDays(30));
        Map<String, String> reasons = reasons(policy(0, 0, 0, 0, 0), Set.of("wiki"), Map.of());
        assertEquals("keep latest", reasons.get(wikiNewest.id()), "the newest normal one, not the newer error one");
        assertEquals("discard expired", reasons.get(wikiOlder.id()));
        assertEquals("discard error", reasons.get(wikiErrorNewer.id()));
        assertEquals("discard expired", reasons.get(gone.id()), "forum is not installed");
    }

    @Test
    void badPoliciesAreRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RetentionPolicy(-2, 0, 0, 0, 0, 0, "UTC"));
        assertTrue(e.getMessage().contains("keepWithinSecs") && e.getMessage().contains("-2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(0, -1, 0, 0, 0, 0, "UTC"));
        assertTrue(e.getMessage().contains("keepDaily"), e.getMessage());
        assertThrows(java.time.DateTimeException.class, () -> new RetentionPolicy(0, 0, 0, 0, 0, 0, "Mars/Olympus"));
    }

    @Test
    void thePolicyRoundTripsThroughJsonWithDefaults() {
        RetentionPolicy read = Json.read("{\"keepWithinSecs\":60,\"keepDaily\":7}", RetentionPolicy.class);
        assertEquals(new RetentionPolicy(60, 7, 0, 0, 0, 24 * 3600, "UTC"), read);
        assertEquals(read, Json.read(Json.write(read), RetentionPolicy.class));
    }
}
