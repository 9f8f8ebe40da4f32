package dev.interlock.examples.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a backup remembers of its app besides the data: the manifest, the notes, the operators and the checklist
 * as they were when the backup was made. A clone or restore from the backup (or from its archive) brings these
 * back, not the app's current ones. Stored as JSON in {@code backups.app_config} and {@code archives.app_config};
 * old-style backups have none.
 *
 * @param manifest  the app's manifest (free-form JSON object; {@code version} is its package version)
 * @param notes     the admins' notes
 * @param operators the users allowed to operate the app
 * @param checklist the post-install checklist, by item key
 */
public record AppConfig(JsonNode manifest, String notes, List<String> operators, Map<String, ChecklistItem> checklist) {

    /**
     * Validates and copies.
     *
     * @param manifest  the app's manifest (free-form JSON object; {@code version} is its package version)
     * @param notes     the admins' notes
     * @param operators the users allowed to operate the app
     * @param checklist the post-install checklist, by item key
     */
    public AppConfig {
        Objects.requireNonNull(manifest, "manifest");
        if (!manifest.isObject()) {
            throw new IllegalArgumentException("the manifest must be a JSON object, was " + manifest.getNodeType());
        }
        manifest = manifest.deepCopy();
        notes = notes == null ? "" : notes;
        operators = List.copyOf(operators == null ? List.of() : operators);
        checklist = checklist == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(checklist));
    }

    /** @return the manifest's {@code version}, or {@code 0.0.0} when it has none */
    public String packageVersion() {
        JsonNode v = manifest.get("version");
        return v == null || !v.isTextual() ? "0.0.0" : v.asText();
    }

    /**
     * @param id      the package id, e.g. {@code org.example.wiki}
     * @param title   a title
     * @param version the package version
     * @return a minimal manifest
     */
    public static JsonNode manifest(String id, String title, String version) {
        return JsonNodeFactory.instance.objectNode().put("id", id).put("title", title).put("version", version);
    }

    /**
     * One item of an app's checklist.
     *
     * @param message      what to check
     * @param acknowledged whether an admin ticked it off
     */
    public record ChecklistItem(String message, boolean acknowledged) {
        /**
         * Validates.
         *
         * @param message      what to check
         * @param acknowledged whether an admin ticked it off
         */
        public ChecklistItem {
            Objects.requireNonNull(message, "message");
        }
    }
}
