package dev.interlock.examples.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A row of {@code backups}.
 *
 * @param id                the opaque, URL-safe id (see {@link BackupIds})
 * @param type              box or app
 * @param identifier        the app id for an app backup, {@code box} for a box backup
 * @param remotePath        where it lies, relative to the backup root (never absolute: the root is derived from the
 *                          mount at run time)
 * @param format            how it is laid out
 * @param state             creating, normal or error
 * @param encryptionVersion the encryption scheme ({@code 1}: AES-256-GCM, PBKDF2 key), or {@code null} if plain
 * @param packageVersion    the app's package version (app backups) or the platform version (box backups)
 * @param appConfig         the app's configuration at backup time, or {@code null} (box backups, old-style app backups)
 * @param preserveSecs      keep at least this many seconds after creation, whatever the retention policy
 * @param label             a free text
 * @param parentId          the box backup this app backup belongs to, or {@code null}
 * @param creationTime      when it was started (database clock)
 */
public record Backup(String id, BackupType type, String identifier, String remotePath, BackupFormat format,
                     BackupState state, Integer encryptionVersion, String packageVersion, AppConfig appConfig,
                     long preserveSecs, String label, String parentId, Instant creationTime) {

    /** The identifier of box backups. */
    public static final String BOX = "box";

    /**
     * Validates.
     *
     * @param id                the opaque, URL-safe id (see {@link BackupIds})
     * @param type              box or app
     * @param identifier        the app id for an app backup, {@code box} for a box backup
     * @param remotePath        where it lies, relative to the backup root (never absolute: the root is derived from the
     *                          mount at run time)
     * @param format            how it is laid out
     * @param state             creating, normal or error
     * @param encryptionVersion the encryption scheme ({@code 1}: AES-256-GCM, PBKDF2 key), or {@code null} if plain
     * @param packageVersion    the app's package version (app backups) or the platform version (box backups)
     * @param appConfig         the app's configuration at backup time, or {@code null} (box backups, old-style app backups)
     * @param preserveSecs      keep at least this many seconds after creation, whatever the retention policy
     * @param label             a free text
     * @param parentId          the box backup this app backup belongs to, or {@code null}
     * @param creationTime      when it was started (database clock)
     */
    public Backup {
        BackupIds.check("backup id", id);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(remotePath, "remotePath");
        if (remotePath.startsWith("/") || remotePath.contains("..") || remotePath.isEmpty()) {
            throw new IllegalArgumentException("a remote path is relative to the backup root and stays inside it, was '"
                    + remotePath + "'");
        }
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(packageVersion, "packageVersion");
        if (preserveSecs < 0) {
            throw new IllegalArgumentException("preserveSecs must be >= 0, was " + preserveSecs);
        }
        label = label == null ? "" : label;
        if (parentId != null) {
            BackupIds.check("parent backup id", parentId);
        }
        if (type == BackupType.BOX && appConfig != null) {
            throw new IllegalArgumentException("a box backup has no app_config");
        }
    }

    /**
     * @param newState another state
     * @return a copy in that state
     */
    public Backup withState(BackupState newState) {
        return new Backup(id, type, identifier, remotePath, format, newState, encryptionVersion, packageVersion,
                appConfig, preserveSecs, label, parentId, creationTime);
    }

    /**
     * @param time another creation time
     * @return a copy created then
     */
    public Backup withCreationTime(Instant time) {
        return new Backup(id, type, identifier, remotePath, format, state, encryptionVersion, packageVersion,
                appConfig, preserveSecs, label, parentId, time);
    }
}
