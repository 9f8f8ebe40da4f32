package dev.interlock.examples.domain;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code archives} table. Thread-safe. */
public final class Archives {
    private final Jdbi jdbi;

    Archives(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * @param archive the archive; its creation time is set by the database
     * @return the archive as stored
     * @throws IllegalStateException if the backup is archived already
     */
    public Archive insert(Archive archive) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO archives (id, backup_id, app_config, icon, app_store_icon,"
                            + " creation_time) VALUES (:id, :backupId, :appConfig, :icon, :appStoreIcon, UTC_TIMESTAMP(6))")
                    .bind("id", archive.id())
                    .bind("backupId", archive.backupId())
                    .bind("appConfig", Json.write(archive.appConfig()))
                    .bind("icon", archive.icon())
                    .bind("appStoreIcon", archive.appStoreIcon())
                    .execute());
        } catch (RuntimeException e) {
            if (Sql.isDuplicateKey(e)) {
                throw new IllegalStateException("backup " + archive.backupId() + " is archived already", e);
            }
            throw e;
        }
        return require(archive.id());
    }

    /**
     * @param id an archive id
     * @return the archive, if it exists
     */
    public Optional<Archive> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM archives WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * @param id an archive id
     * @return the archive
     * @throws IllegalArgumentException if the id is malformed or no archive has it
     */
    public Archive require(String id) {
        BackupIds.check("archive id", id);
        return find(id).orElseThrow(() -> new IllegalArgumentException("no archive '" + id + "'"));
    }

    /**
     * @param backupId a backup id
     * @return the archive of that backup, if it was archived
     */
    public Optional<Archive> findByBackup(String backupId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM archives WHERE backup_id = :backupId")
                .bind("backupId", backupId).map((rs, ctx) -> map(rs)).findOne());
    }

    /** @return every archive, newest first */
    public List<Archive> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM archives ORDER BY creation_time DESC, id DESC")
                .map((rs, ctx) -> map(rs)).list());
    }

    /**
     * @param id an archive id
     * @return whether it existed
     */
    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM archives WHERE id = :id").bind("id", id).execute()) > 0;
    }

    private static Archive map(ResultSet rs) throws SQLException {
        return new Archive(rs.getString("id"), rs.getString("backup_id"),
                Json.read(rs.getString("app_config"), AppConfig.class), rs.getBytes("icon"),
                rs.getBytes("app_store_icon"), Sql.instant(rs, "creation_time"));
    }
}
