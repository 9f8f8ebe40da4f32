package dev.interlock.examples.domain;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code apps} table. Thread-safe.
 *
 * <p>Writes under the app's lock carry the lease's fencing token, and the row keeps the highest one seen
 * ({@code fence}): a write with an older token than the row's is refused. A holder that lost its lock without
 * knowing it (frozen past its lease, its grants forced free) can then not overwrite what a newer holder wrote.
 */
public final class Apps {
    private static final TypeReference<List<String>> OPERATORS = new TypeReference<>() { };
    private static final TypeReference<Map<String, AppConfig.ChecklistItem>> CHECKLIST = new TypeReference<>() { };

    private final Jdbi jdbi;

    Apps(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Installs an app: inserts its row.
     *
     * @param id      the app id
     * @param config  its configuration
     * @param dataDir its data directory
     * @param fence   the fencing token of the lease on {@code app:<id>} under which it is installed (0 if none)
     * @return the app as stored
     * @throws IllegalStateException if an app with this id exists
     */
    public App insert(String id, AppConfig config, Path dataDir, long fence) {
        App.checkId(id);
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO apps (id, manifest, notes, operators,"
                    + " checklist, data_dir, fence, creation_time, update_time) VALUES (:id, :manifest, :notes,"
                    + " :operators, :checklist, :dataDir, :fence, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
                    .bind("id", id)
                    .bind("fence", fence)
                    .bind("manifest", Json.write(config.manifest()))
                    .bind("notes", config.notes())
                    .bind("operators", Json.write(config.operators()))
                    .bind("checklist", Json.write(config.checklist()))
                    .bind("dataDir", dataDir.toAbsolutePath().toString())
                    .execute());
        } catch (RuntimeException e) {
            if (Sql.isDuplicateKey(e)) {
                throw new IllegalStateException("an app with id '" + id + "' is already installed", e);
            }
            throw e;
        }
        return require(id);
    }

    /**
     * @param id an app id
     * @return the app, if installed
     */
    public Optional<App> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM apps WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * @param id an app id
     * @return the app
     * @throws IllegalArgumentException if no app has this id
     */
    public App require(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("no app '" + id + "' is installed"));
    }

    /** @return every installed app, by id */
    public List<App> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM apps ORDER BY id").map((rs, ctx) -> map(rs)).list());
    }

    /**
     * Replaces an app's manifest, notes, operators and checklist, fenced by the token of a lease on
     * {@code app:<id>}.
     *
     * @param id     the app id
     * @param config the new configuration
     * @param fence  the fencing token of the caller's lease on {@code app:<id>}
     * @throws IllegalArgumentException if no app has this id
     * @throws IllegalStateException    if the row was written under a newer token: the caller's lock is stale
     */
    public void updateConfig(String id, AppConfig config, long fence) {
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE apps SET manifest = :manifest, notes = :notes,"
                        + " operators = :operators, checklist = :checklist, fence = :fence,"
                        + " update_time = UTC_TIMESTAMP(6) WHERE id = :id AND fence <= :fence")
                .bind("id", id)
                .bind("fence", fence)
                .bind("manifest", Json.write(config.manifest()))
                .bind("notes", config.notes())
                .bind("operators", Json.write(config.operators()))
                .bind("checklist", Json.write(config.checklist()))
                .execute());
        if (n == 0) {
            long current = jdbi.withHandle(h -> h.createQuery("SELECT fence FROM apps WHERE id = :id").bind("id", id)
                    .mapTo(Long.class).findOne()).orElseThrow(() -> new IllegalArgumentException("no app '" + id
                    + "' is installed"));
            throw new IllegalStateException("refusing to write app " + id + " with fencing token " + fence
                    + ": it was written under token " + current + " since; this lock on app:" + id + " is stale");
        }
    }

    /**
     * Uninstalls an app: deletes its row (its data directory and backups stay).
     *
     * @param id the app id
     * @return whether it was installed
     */
    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM apps WHERE id = :id").bind("id", id).execute()) > 0;
    }

    private static App map(ResultSet rs) throws SQLException {
        AppConfig config = new AppConfig(Json.tree(rs.getString("manifest")), rs.getString("notes"),
                Json.MAPPER.convertValue(Json.tree(rs.getString("operators")), OPERATORS),
                Json.MAPPER.convertValue(Json.tree(rs.getString("checklist")), CHECKLIST));
        return new App(rs.getString("id"), config, Path.of(rs.getString("data_dir")), rs.getLong("fence"),
                Sql.instant(rs, "creation_time"), Sql.instant(rs, "update_time"));
    }
}
