package dev.interlock.examples.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code settings} table: named values. The backup password is a setting of its own, apart from the rest of
 * the backup configuration, and is only ever read into a {@link Secret}. Thread-safe.
 */
public final class Settings {
    /** The format and mount of backups, as JSON. */
    public static final String BACKUP_CONFIG = "backup_config";
    /** The backup password (absent = plain backups). */
    public static final String BACKUP_PASSWORD = "backup_password";
    /** The retention policy, as JSON (see {@link RetentionPolicy}). */
    public static final String RETENTION_POLICY = "retention_policy";
    /** The platform version, changed by the update task. */
    public static final String PLATFORM_VERSION = "platform_version";

    private final Jdbi jdbi;

    Settings(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * @param name a setting name
     * @return its value, if set
     */
    public Optional<String> get(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM settings WHERE name = :name").bind("name", name)
                .mapTo(String.class).findOne());
    }

    /**
     * @param name  a setting name
     * @param value its new value
     */
    public void set(String name, String value) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO settings (name, value) VALUES (:name, :value)"
                        + " ON DUPLICATE KEY UPDATE value = VALUES(value)")
                .bind("name", name).bind("value", value).execute());
    }

    /**
     * @param name a setting name
     */
    public void remove(String name) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM settings WHERE name = :name").bind("name", name).execute());
    }

    /**
     * @return the backup configuration, with the password
     * @throws IllegalStateException if none is configured
     */
    public BackupConfig backupConfig() {
        JsonNode json = Json.tree(get(BACKUP_CONFIG).orElseThrow(() -> new IllegalStateException(
                "no backup configuration: set " + BACKUP_CONFIG + " (format and mount) first")));
        JsonNode format = json.get("format");
        JsonNode mount = json.get("mount");
        if (format == null || mount == null) {
            throw new IllegalStateException("the setting " + BACKUP_CONFIG + " needs a format and a mount, was "
                    + json);
        }
        return new BackupConfig(BackupFormat.parse(format.asText()), Path.of(mount.asText()),
                Secret.of(get(BACKUP_PASSWORD).orElse(null)));
    }

    /**
     * Stores a backup configuration: format and mount in one setting, the password in another (removed when none).
     *
     * @param config the configuration
     */
    public void setBackupConfig(BackupConfig config) {
        ObjectNode json = Json.MAPPER.createObjectNode().put("format", config.format().sql())
                .put("mount", config.mount().toString());
        set(BACKUP_CONFIG, Json.write(json));
        if (config.password().isPresent()) {
            set(BACKUP_PASSWORD, config.password().reveal());
        } else {
            remove(BACKUP_PASSWORD);
        }
    }

    /** @return the retention policy, or the default one when none is set */
    public RetentionPolicy retentionPolicy() {
        return get(RETENTION_POLICY).map(json -> Json.read(json, RetentionPolicy.class)).orElse(RetentionPolicy.DEFAULT);
    }

    /**
     * @param policy the retention policy to store
     */
    public void setRetentionPolicy(RetentionPolicy policy) {
        set(RETENTION_POLICY, Json.write(policy));
    }

    /** @return the platform version, {@code 1.0.0} when never updated */
    public String platformVersion() {
        return get(PLATFORM_VERSION).orElse("1.0.0");
    }
}
