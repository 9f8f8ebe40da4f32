package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Passwords never show in strings, and connection settings travel through the environment. */
class DatabaseSettingsTest {

    @Test
    void passwordsArePrintedAsStars() {
        DatabaseSettings s = new DatabaseSettings("jdbc:mysql://db:3306/x?user=u&password=hunter2&ssl=true", "u",
                Secret.of("hunter3"));
        assertFalse(s.toString().contains("hunter2"), s.toString());
        assertFalse(s.toString().contains("hunter3"), s.toString());
        assertEquals("jdbc:mysql://db:3306/x?user=u&password=****&ssl=true", s.redactedUrl());
        BackupConfig config = new BackupConfig(BackupFormat.TGZ, Path.of("/mnt"), Secret.of("hunter4"));
        assertFalse(config.toString().contains("hunter4"), config.toString());
        assertEquals("****", Secret.of("x").toString());
        assertEquals("(none)", Secret.none().toString());
        assertEquals("hunter3", s.password().reveal());
    }

    @Test
    void aPasswordInTheUserInfoIsRedactedToo() {
        DatabaseSettings s = new DatabaseSettings("jdbc:mysql://u:secret@db:3306/x", null, Secret.none());
        assertEquals("jdbc:mysql://u:****@db:3306/x", s.redactedUrl());
        assertFalse(s.toString().contains("secret"), s.toString());
        assertEquals("jdbc:mysql://u:****@db1,v:****@db2/x?password=****",
                DatabaseSettings.redact("jdbc:mysql://u:s1@db1,v:s:2@db2/x?password=s3"));
        assertEquals("jdbc:mysql://u:****@db/x", DatabaseSettings.redact("jdbc:mysql://u:p@ss@db/x"));
        assertEquals("jdbc:mysql://u@db:3306/x", DatabaseSettings.redact("jdbc:mysql://u@db:3306/x"));
        assertEquals("jdbc:mysql://db1:3306,db2:3307/x", DatabaseSettings.redact("jdbc:mysql://db1:3306,db2:3307/x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DatabaseSettings("jdbc:mariadb://u:secret@db/x", "u", Secret.none()));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void settingsRoundTripThroughAChildsEnvironment() {
        DatabaseSettings s = new DatabaseSettings("jdbc:mysql://db/x", "u", Secret.of("pw"));
        Map<String, String> env = new HashMap<>();
        s.toEnvironment(env);
        assertEquals(s, DatabaseSettings.fromEnvironment(env));
        DatabaseSettings noUser = new DatabaseSettings("jdbc:mysql://db/x", null, Secret.none());
        noUser.toEnvironment(env);
        assertEquals(noUser, DatabaseSettings.fromEnvironment(env));
    }

    @Test
    void badInputIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DatabaseSettings("jdbc:mariadb://db/x?password=p", "u", Secret.none()));
        assertTrue(e.getMessage().startsWith("the JDBC URL must start with jdbc:mysql:"), e.getMessage());
        assertFalse(e.getMessage().contains("password=p"), "the message redacts the URL: " + e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> DatabaseSettings.fromEnvironment(Map.of()));
        assertTrue(missing.getMessage().contains(DatabaseSettings.URL_ENV), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BackupConfig(BackupFormat.TGZ, Path.of("relative"),
                Secret.none()));
        assertThrows(IllegalArgumentException.class, () -> BackupFormat.parse("zip"));
        assertThrows(IllegalArgumentException.class, () -> App.checkId("Wiki!"));
    }
}
