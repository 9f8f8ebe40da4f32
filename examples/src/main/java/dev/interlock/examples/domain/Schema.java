package dev.interlock.examples.domain;

import java.util.List;

/**
 * The domain's tables. Every statement is {@code CREATE TABLE IF NOT EXISTS}, so creating the schema is idempotent
 * and safe from several processes at once. Times are {@code DATETIME(6)} in UTC (see {@link Sql}).
 */
final class Schema {
    private Schema() {
    }

    private static final String TABLE_OPTIONS = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

    static final List<String> DDL = List.of(
            // Settings: the backup configuration and, apart from it, the backup password.
            "CREATE TABLE IF NOT EXISTS settings ("
                    + " name VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " value TEXT NOT NULL"
                    + ")" + TABLE_OPTIONS,
            "CREATE TABLE IF NOT EXISTS apps ("
                    + " id VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " manifest JSON NOT NULL,"
                    + " notes TEXT NOT NULL,"
                    + " operators JSON NOT NULL,"
                    + " checklist JSON NOT NULL,"
                    + " data_dir VARCHAR(1024) NOT NULL,"
                    // The fencing token of the last lease under which the row was written (see Apps).
                    + " fence BIGINT NOT NULL DEFAULT 0,"
                    + " creation_time DATETIME(6) NOT NULL,"
                    + " update_time DATETIME(6) NOT NULL"
                    + ")" + TABLE_OPTIONS,
            "CREATE TABLE IF NOT EXISTS backups ("
                    + " id VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " type VARCHAR(8) NOT NULL,"
                    + " identifier VARCHAR(64) NOT NULL,"
                    + " remote_path VARCHAR(1024) NOT NULL,"
                    + " format VARCHAR(8) NOT NULL,"
                    + " state VARCHAR(16) NOT NULL,"
                    + " encryption_version INT NULL,"
                    + " package_version VARCHAR(64) NOT NULL,"
                    + " app_config JSON NULL,"
                    + " preserve_secs BIGINT NOT NULL DEFAULT 0,"
                    + " label VARCHAR(255) NOT NULL DEFAULT '',"
                    + " parent_id VARCHAR(64) NULL,"
                    + " creation_time DATETIME(6) NOT NULL,"
                    + " KEY backups_by_identifier (type, identifier, creation_time),"
                    + " KEY backups_by_parent (parent_id),"
                    + " CONSTRAINT backups_type CHECK (type IN ('box', 'app')),"
                    + " CONSTRAINT backups_format CHECK (format IN ('tgz', 'rsync')),"
                    + " CONSTRAINT backups_state CHECK (state IN ('creating', 'normal', 'error'))"
                    + ")" + TABLE_OPTIONS,
            "CREATE TABLE IF NOT EXISTS archives ("
                    + " id VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " backup_id VARCHAR(64) NOT NULL,"
                    + " app_config JSON NOT NULL,"
                    + " icon MEDIUMBLOB NULL,"
                    + " app_store_icon MEDIUMBLOB NULL,"
                    + " creation_time DATETIME(6) NOT NULL,"
                    + " UNIQUE KEY archives_backup (backup_id)"
                    + ")" + TABLE_OPTIONS,
            "CREATE TABLE IF NOT EXISTS tasks ("
                    + " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " type VARCHAR(32) NOT NULL,"
                    + " args JSON NOT NULL,"
                    + " state VARCHAR(16) NOT NULL,"
                    + " percent INT NOT NULL DEFAULT 0,"
                    + " message VARCHAR(1000) NOT NULL DEFAULT '',"
                    + " error TEXT NULL,"
                    + " result JSON NULL,"
                    + " pid BIGINT NULL,"
                    + " exit_code INT NULL,"
                    + " creation_time DATETIME(6) NOT NULL,"
                    + " start_time DATETIME(6) NULL,"
                    + " end_time DATETIME(6) NULL,"
                    + " update_time DATETIME(6) NOT NULL,"
                    + " CONSTRAINT tasks_state CHECK (state IN ('pending', 'running', 'done', 'failed', 'stopped',"
                    + " 'killed'))"
                    + ")" + TABLE_OPTIONS,
            // What task processes and the supervisor did, stamped by the database's clock: the demo's timeline
            // and the tests' evidence of what ran in parallel and what waited for what.
            "CREATE TABLE IF NOT EXISTS task_events ("
                    + " id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " task_id BIGINT NULL,"
                    + " time DATETIME(6) NOT NULL,"
                    + " kind VARCHAR(32) NOT NULL,"
                    + " lock_name VARCHAR(200) NULL,"
                    + " token BIGINT NULL,"
                    + " message VARCHAR(2000) NOT NULL,"
                    + " KEY task_events_by_task (task_id, id)"
                    + ")" + TABLE_OPTIONS);

    /** The domain tables, children first: the order to empty them in. */
    static final List<String> TABLES = List.of("task_events", "tasks", "archives", "backups", "apps", "settings");
}
