package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What needs no database: names, and the DDL coming from the shipped resource. */
class JdbiLockStoreTest {

    @Test
    void tableNamesAreCheckedAgainstAStrictPattern() {
        for (String bad : new String[] {"", "1abc", "a-b", "a b", "a`b", "a;drop", "täble", "a".repeat(65), "x.y"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JdbiLockStore.schemaSql(bad), bad);
            assertTrue(e.getMessage().contains("tableName must match [A-Za-z_][A-Za-z0-9_]{0,63}"), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> JdbiLockStore.schemaSql(null));
        for (String good : new String[] {"_", "a", "locks_2", "A".repeat(64), "_x9"}) {
            assertTrue(JdbiLockStore.schemaSql(good).contains("`" + good + "`"), good);
        }
    }

    @Test
    void schemaSqlIsTheShippedResourceWithTheTableNameSubstituted() throws IOException {
        String resource;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(JdbiLockStore.SCHEMA_RESOURCE)) {
            resource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String ddl = JdbiLockStore.schemaSql(JdbiLockStore.DEFAULT_TABLE);
        assertTrue(ddl.startsWith("CREATE TABLE IF NOT EXISTS `interlock_spaces` ("), ddl);
        assertFalse(ddl.contains("--"), "comments are stripped");
        assertFalse(ddl.endsWith(";"));
        // every line of the statement is a line of the resource: the two cannot drift apart
        for (String line : ddl.split("\n")) {
            assertTrue(resource.contains(line), "not in the resource: " + line);
        }
        String custom = JdbiLockStore.schemaSql("my_locks");
        assertEquals(ddl.replace("`interlock_spaces`", "`my_locks`"), custom);
        assertFalse(custom.contains("interlock_spaces"));
        assertTrue(ddl.contains("`data`    JSON NOT NULL"));
        assertTrue(ddl.contains("PRIMARY KEY (`id`)"));
        assertTrue(ddl.contains("DEFAULT CHARSET=utf8mb4"));
    }
}
