package dev.interlock.examples.tasks;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The kinds of task a task process can run. */
public enum TaskType {
    /** Back up one app. Args: {@code appId}, optional {@code label}, {@code preserveSecs}. */
    APP_BACKUP("app-backup"),
    /** Back up every app, then the platform. Optional {@code label}. */
    FULL_BACKUP("full-backup"),
    /** A full backup, then the platform update. Args: {@code toVersion}, optional {@code releaseBytes}. */
    UPDATE("update"),
    /** Restore an app from one of its backups. Args: {@code appId}, {@code backupId}. */
    RESTORE("restore"),
    /** Create a new app from an archive. Args: {@code archiveId}, {@code appId} (the new app's id). */
    CLONE("clone");

    private final String id;

    TaskType(String id) {
        this.id = id;
    }

    /** @return the name stored in {@code tasks.type} and used in task names, e.g. {@code app-backup} */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param text a task type name, e.g. {@code full-backup}
     * @return the type
     * @throws IllegalArgumentException naming the known types
     */
    @JsonCreator
    public static TaskType parse(String text) {
        for (TaskType t : values()) {
            if (t.id.equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task type '" + text + "'; known: app-backup, full-backup, update,"
                + " restore, clone");
    }
}
