package dev.interlock.examples.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A row of {@code archives}: an app backup kept for good, with what it takes to show it and to clone from it
 * after the app is gone. Icons live here only, not on every backup.
 *
 * @param id           the opaque, URL-safe archive id
 * @param backupId     the archived app backup
 * @param appConfig    the app's configuration at backup time (copied from the backup)
 * @param icon         the app's icon (PNG) as it was in the backup, or {@code null}
 * @param appStoreIcon the package's icon from the app store, or {@code null}
 * @param creationTime when it was archived (database clock)
 */
public record Archive(String id, String backupId, AppConfig appConfig, byte[] icon, byte[] appStoreIcon,
                      Instant creationTime) {

    /**
     * Validates and copies the icons.
     *
     * @param id           the opaque, URL-safe archive id
     * @param backupId     the archived app backup
     * @param appConfig    the app's configuration at backup time (copied from the backup)
     * @param icon         the app's icon (PNG) as it was in the backup, or {@code null}
     * @param appStoreIcon the package's icon from the app store, or {@code null}
     * @param creationTime when it was archived (database clock)
     */
    public Archive {
        BackupIds.check("archive id", id);
        BackupIds.check("backup id", backupId);
        Objects.requireNonNull(appConfig, "appConfig");
        icon = icon == null ? null : icon.clone();
        appStoreIcon = appStoreIcon == null ? null : appStoreIcon.clone();
    }

    /** @return a copy of the icon, or {@code null} */
    @Override
    public byte[] icon() {
        return icon == null ? null : icon.clone();
    }

    /** @return a copy of the app store's icon, or {@code null} */
    @Override
    public byte[] appStoreIcon() {
        return appStoreIcon == null ? null : appStoreIcon.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Archive && id.equals(((Archive) o).id) && backupId.equals(((Archive) o).backupId)
                && appConfig.equals(((Archive) o).appConfig) && Arrays.equals(icon, ((Archive) o).icon)
                && Arrays.equals(appStoreIcon, ((Archive) o).appStoreIcon)
                && Objects.equals(creationTime, ((Archive) o).creationTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, backupId);
    }

    @Override
    public String toString() {
        return "Archive[" + id + " of backup " + backupId + ", icon " + (icon == null ? "none" : icon.length + " bytes")
                + ", app store icon " + (appStoreIcon == null ? "none" : appStoreIcon.length + " bytes") + "]";
    }
}
