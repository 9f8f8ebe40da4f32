package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Backup and archive ids: opaque, URL-safe, without '/', unique. */
class BackupIdsTest {

    @Test
    void idsAreUrlSafeAndCarryNoPath() {
        Instant t = Instant.parse("2026-11-27T10:03:12Z");
        for (String kind : new String[] {"app", "box", "archive"}) {
            String id = BackupIds.newId(kind, t);
            assertTrue(id.matches(kind + "-20261127-100312-[0-9a-z]{8}"), id);
            assertFalse(id.contains("/"), id);
            assertEquals(id, URLEncoder.encode(id, StandardCharsets.UTF_8), "needs no escaping in a URL: " + id);
            assertEquals("/api/v1/backups/" + id, URI.create("http://h/api/v1/backups/" + id).getPath());
            assertTrue(BackupIds.isValid(id));
        }
    }

    @Test
    void idsAreUnique() {
        Set<String> seen = new HashSet<>();
        Instant t = Instant.now();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(BackupIds.newId("app", t)), "duplicate after " + i);
        }
    }

    @Test
    void pathLikeAndOtherBadIdsAreRefusedWithAClearMessage() {
        for (String bad : new String[] {"app/wiki/2026-11-27", "", "A-1", "1abc", "app id", "../x", "x"}) {
            assertFalse(BackupIds.isValid(bad), bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BackupIds.check("backup id", bad));
            assertTrue(e.getMessage().startsWith("a backup id is 2 to 64 of a-z, 0-9 and '-'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> BackupIds.newId("Bad/Kind", Instant.now()));
    }

    @Test
    void remotePathsAreRelativeAndSeparateFromIds() {
        BackupStorage storage = new BackupStorage(java.nio.file.Path.of("/mnt/x"), Secret.of("pw"));
        String id = BackupIds.newId("app", Instant.now());
        assertEquals("app/wiki/" + id + ".tar.gz.enc", storage.remotePathFor(BackupType.APP, "wiki", id,
                BackupFormat.TGZ));
        assertEquals("box/box/" + id, storage.remotePathFor(BackupType.BOX, "box", id, BackupFormat.RSYNC));
        assertThrows(IllegalArgumentException.class, () -> new Backup(id, BackupType.APP, "wiki", "/abs/path",
                BackupFormat.TGZ, BackupState.NORMAL, null, "1", null, 0, "", null, Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> new Backup(id, BackupType.APP, "wiki", "app/../../etc",
                BackupFormat.TGZ, BackupState.NORMAL, null, "1", null, 0, "", null, Instant.now()));
    }
}
