package dev.interlock.examples.domain;

import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * How long backups are kept. See {@link Retention} for how each backup is judged.
 *
 * @param keepWithinSecs      keep every backup younger than this; {@code -1} keeps every backup forever
 * @param keepDaily           keep the newest backup of each of the last N days that have one (0 = off)
 * @param keepWeekly          likewise for ISO weeks
 * @param keepMonthly         likewise for months
 * @param keepYearly          likewise for years
 * @param creatingTimeoutSecs a backup still {@code creating} after this long is discarded as
 *                            {@code creating-too-long}
 * @param zone                the time zone whose days, weeks, months and years count (an id such as {@code UTC} or
 *                            {@code Europe/Berlin})
 */
public record RetentionPolicy(long keepWithinSecs, int keepDaily, int keepWeekly, int keepMonthly, int keepYearly,
                              long creatingTimeoutSecs, String zone) {

    /** Two days of everything, nothing older; creating backups get a day; UTC. */
    public static final RetentionPolicy DEFAULT = new RetentionPolicy(2 * 24 * 3600, 0, 0, 0, 0, 24 * 3600, "UTC");

    /**
     * Validates. A missing zone means UTC; a missing creating timeout (0) means a day.
     *
     * @throws IllegalArgumentException naming the field and the value
     *
     * @param keepWithinSecs      keep every backup younger than this; {@code -1} keeps every backup forever
     * @param keepDaily           keep the newest backup of each of the last N days that have one (0 = off)
     * @param keepWeekly          likewise for ISO weeks
     * @param keepMonthly         likewise for months
     * @param keepYearly          likewise for years
     * @param creatingTimeoutSecs a backup still {@code creating} after this long is discarded as
     *                            {@code creating-too-long}
     * @param zone                the time zone whose days, weeks, months and years count (an id such as {@code UTC} or
     *                            {@code Europe/Berlin})
     */
    public RetentionPolicy {
        if (keepWithinSecs < -1) {
            throw new IllegalArgumentException("keepWithinSecs must be -1 (forever) or >= 0, was " + keepWithinSecs);
        }
        check("keepDaily", keepDaily);
        check("keepWeekly", keepWeekly);
        check("keepMonthly", keepMonthly);
        check("keepYearly", keepYearly);
        if (creatingTimeoutSecs < 0) {
            throw new IllegalArgumentException("creatingTimeoutSecs must be >= 0, was " + creatingTimeoutSecs);
        }
        creatingTimeoutSecs = creatingTimeoutSecs == 0 ? 24 * 3600 : creatingTimeoutSecs;
        zone = zone == null || zone.isBlank() ? "UTC" : zone;
        ZoneId.of(zone); // throws DateTimeException for an unknown zone
    }

    private static void check(String name, int value) {
        if (value < 0 || value > 10_000) {
            throw new IllegalArgumentException(name + " must be between 0 and 10000, was " + value);
        }
    }

    /** @return the zone as a {@link ZoneId} */
    public ZoneId zoneId() {
        return "UTC".equals(zone) ? ZoneOffset.UTC : ZoneId.of(zone);
    }
}
