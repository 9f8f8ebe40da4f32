package dev.interlock.examples.domain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how backups are written: the format, the mount (a local directory here) and the password. Stored in
 * {@code settings}: format and mount together as {@value Settings#BACKUP_CONFIG}, the password apart as
 * {@value Settings#BACKUP_PASSWORD}. The backup root is not stored: it is derived from the mount at run time
 * ({@link #rootPath()}), because only the running system knows where a mount is.
 *
 * @param format   the format of new backups
 * @param mount    the mount point of the backup storage
 * @param password the encryption password, or {@link Secret#none()} for plain backups (printed as {@code ****})
 */
public record BackupConfig(BackupFormat format, Path mount, Secret password) {

    /** The directory under the mount that holds the backups. */
    public static final String ROOT_DIRECTORY = "interlock-backups";

    /**
     * Validates.
     *
     * @param format   the format of new backups
     * @param mount    the mount point of the backup storage
     * @param password the encryption password, or {@link Secret#none()} for plain backups (printed as {@code ****})
     */
    public BackupConfig {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(mount, "mount");
        if (!mount.isAbsolute()) {
            throw new IllegalArgumentException("the backup mount must be an absolute path, was " + mount);
        }
        password = password == null ? Secret.none() : password;
    }

    /** @return the backup root: {@code <mount>/interlock-backups} */
    public Path rootPath() {
        return mount.resolve(ROOT_DIRECTORY);
    }

    /**
     * @param newPassword another password
     * @return a copy with it
     */
    public BackupConfig withPassword(Secret newPassword) {
        return new BackupConfig(format, mount, newPassword);
    }
}
