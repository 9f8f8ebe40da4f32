package dev.interlock.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.examples.domain.App;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Operations;
import dev.interlock.examples.domain.WorkContext;
import java.io.IOException;

/** Runs one task's work in its process: reads the arguments, calls {@link Operations}, returns the result. */
final class TaskHandlers {
    /** The release size installed by an update unless its arguments say otherwise. */
    static final long DEFAULT_RELEASE_BYTES = 2L * 1024 * 1024;

    private TaskHandlers() {
    }

    static JsonNode run(Task task, WorkContext ctx, Operations ops) throws IOException, InterruptedException {
        JsonNode args = task.args();
        ObjectNode result = Json.MAPPER.createObjectNode();
        switch (task.type()) {
            case APP_BACKUP: {
                Backup b = ops.backupApp(ctx, text(args, "appId"), null, args.path("label").asText(""),
                        number(args, "preserveSecs", 0));
                return result.put("backupId", b.id());
            }
            case FULL_BACKUP: {
                Operations.FullBackup full = ops.fullBackup(ctx, args.path("label").asText(""));
                result.put("boxBackupId", full.box().id());
                full.appBackups().forEach(b -> result.withArray("appBackupIds").add(b.id()));
                return result;
            }
            case UPDATE: {
                Operations.FullBackup full = ops.update(ctx, text(args, "toVersion"),
                        number(args, "releaseBytes", DEFAULT_RELEASE_BYTES));
                return result.put("boxBackupId", full.box().id()).put("version", text(args, "toVersion"));
            }
            case RESTORE: {
                App app = ops.restore(ctx, text(args, "appId"), text(args, "backupId"));
                return result.put("appId", app.id());
            }
            case CLONE: {
                App app = ops.cloneFromArchive(ctx, text(args, "archiveId"), text(args, "appId"));
                return result.put("appId", app.id());
            }
            default:
                throw new IllegalArgumentException("no handler for task type " + task.type());
        }
    }

    private static String text(JsonNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("the task's arguments need a text '" + name + "', were " + args);
        }
        return v.asText();
    }

    /**
     * A whole-number argument: a JSON number, or text of digits as the command line passes every value.
     *
     * @param args     the task's arguments
     * @param name     the argument's name
     * @param fallback its value when it is absent
     * @return its value
     * @throws IllegalArgumentException if it is present but not a whole number
     */
    static long number(JsonNode args, String name, long fallback) {
        JsonNode v = args.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isTextual() && v.asText().matches("-?[0-9]{1,18}")) {
            return Long.parseLong(v.asText());
        }
        throw new IllegalArgumentException("the task's argument '" + name + "' must be a whole number, was " + v);
    }
}
