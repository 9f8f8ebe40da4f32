package dev.interlock.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.jdbi.testing.TestDatabase;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the README's usage snippet ({@link ReadmeExample}) on a real database. */
class ReadmeExampleIT {

    @Test
    void theReadmeSnippetRunsAsDescribed() throws Exception {
        TestDatabase db = TestDatabase.get();
        String database = db.createDatabase("readme");
        try {
            ReadmeExample.Result result = ReadmeExample.run(db.dataSource(db.jdbcUrlFor(database, Map.of())));
            assertTrue(result.token() > 0, "a fencing token is positive: " + result);
            assertTrue(result.gotFullBackup(), "nothing else holds the full-backup lock: " + result);
            assertEquals(Set.of("task-type:full-backup"), result.heldInSnapshot(),
                    "the snapshot shows the lock taken without waiting, and not the released ones");
            assertEquals(1, result.freedByTask(), "releaseTask frees the grant of task backup-17");
            assertTrue(result.emptyAfterwards(), "nothing is held at the end");
        } finally {
            db.execute("DROP DATABASE IF EXISTS `" + database + "`");
        }
    }
}
