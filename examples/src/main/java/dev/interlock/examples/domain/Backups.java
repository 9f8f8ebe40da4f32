package dev.interlock.examples.domain;

import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code backups} table. Thread-safe. */
public final class Backups {
    private final Jdbi jdbi;

    Backups(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Inserts a backup. A {@code null} creation time is filled in with the database's clock.
     *
     * @param backup the backup
     * @return the backup as stored
     * @throws IllegalStateException if a backup with this id exists
     */
    public Backup insert(Backup backup) {
        String time = backup.creationTime() == null ? "UTC_TIMESTAMP(6)" : ":creationTime";
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO backups (id, type, identifier, remote_path, format, state,"
                            + " encryption_version, package_version, app_config, preserve_secs, label, parent_id,"
                            + " creation_time) VALUES (:id, :type, :identifier, :remotePath, :format, :state,"
                            + " :encryptionVersion, :packageVersion, :appConfig, :preserveSecs, :label, :parentId, "
                            + time + ")")
                    .bind("id", backup.id())
                    .bind("type", backup.type().sql())
                    .bind("identifier", backup.identifier())
                    .bind("remotePath", backup.remotePath())
                    .bind("format", backup.format().sql())
                    .bind("state", backup.state().sql())
                    .bind("encryptionVersion", backup.encryptionVersion())
                    .bind("packageVersion", backup.packageVersion())
                    .bind("appConfig", backup.appConfig() == null ? null : Json.write(backup.appConfig()))
                    .bind("preserveSecs", backup.preserveSecs())
                    .bind("label", backup.label())
                    .bind("parentId", backup.parentId())
                    .bindMap(backup.creationTime() == null ? Map.of()
                            : Map.of("creationTime", Sql.utc(backup.creationTime())))
                    .execute());
        } catch (RuntimeException e) {
            if (Sql.isDuplicateKey(e)) {
                throw new IllegalStateException("a backup with id '" + backup.id() + "' exists", e);
            }
            throw e;
        }
        return require(backup.id());
    }

    /**
     * @param id a backup id
     * @return the backup, if it exists
     */
    public Optional<Backup> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * @param id a backup id
     * @return the backup
     * @throws IllegalArgumentException if the id is malformed or no backup has it
     */
    public Backup require(String id) {
        BackupIds.check("backup id", id);
        return find(id).orElseThrow(() -> new IllegalArgumentException("no backup '" + id + "'"));
    }

    /** @return every backup, newest first */
    public List<Backup> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups ORDER BY creation_time DESC, id DESC")
                .map((rs, ctx) -> map(rs)).list());
    }

    /**
     * @param identifier an app id, or {@code box}
     * @return its backups, newest first
     */
    public List<Backup> listOf(String identifier) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE identifier = :identifier"
                        + " ORDER BY creation_time DESC, id DESC")
                .bind("identifier", identifier).map((rs, ctx) -> map(rs)).list());
    }

    /**
     * @param parentId a box backup id
     * @return the app backups that belong to it
     */
    public List<Backup> children(String parentId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM backups WHERE parent_id = :parentId ORDER BY identifier")
                .bind("parentId", parentId).map((rs, ctx) -> map(rs)).list());
    }

    /**
     * Moves a backup from one state to another, if it is still in the first.
     *
     * @param id   the backup id
     * @param from the state it must be in
     * @param to   the new state
     * @return whether it changed
     */
    public boolean setState(String id, BackupState from, BackupState to) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE backups SET state = :to WHERE id = :id AND state = :from")
                .bind("id", id).bind("from", from.sql()).bind("to", to.sql()).execute()) > 0;
    }

    /**
     * Deletes a backup's row (its storage must be gone first; see {@link Cleaner}).
     *
     * @param id the backup id
     * @return whether it existed
     */
    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM backups WHERE id = :id").bind("id", id).execute()) > 0;
    }

    /**
     * Marks as {@code error} every {@code creating} backup whose writer is gone. A writer takes the lock
     * {@code backup:<id>} before it inserts the row and holds it until the backup is complete, so a creating backup
     * whose lock can be taken has no writer any more. Taking it also reaps a dead writer's grants (same host), which
     * makes this the backstop when no supervisor released the writer's locks.
     *
     * @param locks a lock manager
     * @return the ids of the backups marked {@code error}
     */
    public List<String> failOrphans(LockManager locks) {
        List<String> failed = new ArrayList<>();
        List<String> creating = jdbi.withHandle(h -> h.createQuery("SELECT id FROM backups WHERE state = 'creating'"
                + " ORDER BY creation_time").mapTo(String.class).list());
        for (String id : creating) {
            Optional<Lease> lease = locks.tryAcquire(LockRequest.exclusive(LockNames.backup(id)));
            if (lease.isPresent()) {
                try (Lease held = lease.get()) {
                    // holding backup:<id> proves no writer has it; the row can change state safely
                    if (held.isHeld() && setState(id, BackupState.CREATING, BackupState.ERROR)) {
                        failed.add(id);
                    }
                }
            }
        }
        return failed;
    }

    static Backup map(ResultSet rs) throws SQLException {
        String appConfig = rs.getString("app_config");
        int enc = rs.getInt("encryption_version");
        Integer encryption = rs.wasNull() ? null : enc;
        return new Backup(rs.getString("id"), BackupType.parse(rs.getString("type")), rs.getString("identifier"),
                rs.getString("remote_path"), BackupFormat.parse(rs.getString("format")),
                BackupState.parse(rs.getString("state")), encryption, rs.getString("package_version"),
                appConfig == null ? null : Json.read(appConfig, AppConfig.class), rs.getLong("preserve_secs"),
                rs.getString("label"), rs.getString("parent_id"), Sql.instant(rs, "creation_time"));
    }
}
