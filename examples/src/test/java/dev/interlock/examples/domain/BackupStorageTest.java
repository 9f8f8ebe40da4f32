package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Backups on a local mount, both formats, plain and encrypted: real files, round trips, refusals. */
class BackupStorageTest {
    @TempDir
    Path tmp;

    private Path appDir() throws IOException {
        Path dir = tmp.resolve("app");
        Files.createDirectories(dir.resolve("data/deep/er"));
        Files.createDirectories(dir.resolve("empty"));
        byte[] blob = new byte[300_000];
        new Random(7).nextBytes(blob);
        Files.write(dir.resolve("data/blob.bin"), blob);
        Files.writeString(dir.resolve("data/deep/er/notes.txt"), "héllo wörld\n");
        Files.write(dir.resolve("icon.png"), new byte[] {1, 2, 3});
        Files.createFile(dir.resolve("zero-length"));
        Path script = dir.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        return dir;
    }

    private static Map<String, String> tree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String name = dir.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(name + "/", "dir");
                } else {
                    out.put(name, java.util.Arrays.hashCode(Files.readAllBytes(p)) + " "
                            + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, password {1}")
    @CsvSource({"TGZ, true", "TGZ, false", "RSYNC, true", "RSYNC, false"})
    void aBackupRestoresToTheSameTree(BackupFormat format, boolean encrypted) throws IOException {
        Path source = appDir();
        BackupStorage storage = new BackupStorage(tmp.resolve("mount"), encrypted ? Secret.of("pw") : Secret.none());
        String remote = storage.remotePathFor(BackupType.APP, "wiki", "app-1", format);
        List<Long> progress = new ArrayList<>();
        long bytes = storage.write(source, remote, format, (done, total) -> progress.add(done));
        long expected = 0;
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                expected += Files.size(f);
            }
        }
        assertEquals(expected, bytes, "file content bytes");
        assertEquals(bytes, (long) progress.get(progress.size() - 1), "progress reaches the total");
        assertTrue(storage.exists(remote, format));
        assertFalse(Files.exists(tmp.resolve("mount").resolve(remote + ".partial")), "no partial left");

        Path restored = tmp.resolve("restored");
        storage.restore(remote, format, storage.encryptionVersion(), restored, BackupStorage.Listener.NONE);
        assertEquals(tree(source), tree(restored));

        assertEquals(Optional.of(List.of((byte) 1, (byte) 2, (byte) 3)), storage.readFile(remote, format,
                storage.encryptionVersion(), "icon.png", 100).map(BackupStorageTest::list));
        assertEquals(Optional.empty(), storage.readFile(remote, format, storage.encryptionVersion(), "nope.png", 100));
    }

    private static List<Byte> list(byte[] b) {
        List<Byte> out = new ArrayList<>();
        for (byte x : b) {
            out.add(x);
        }
        return out;
    }

    @Test
    void directoriesKeepTheirPermissionsAndTimesAndMayBeReadOnly() throws IOException {
        Path source = appDir();
        Path readOnly = source.resolve("data/deep");
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-x---"));
        List<String> dirs = List.of("data/deep/er", "data/deep", "data", "empty");
        for (int i = 0; i < dirs.size(); i++) {
            Files.setLastModifiedTime(source.resolve(dirs.get(i)),
                    FileTime.from(Instant.parse("2020-01-02T03:04:05Z").plusSeconds(i)));
        }
        try {
            BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.of("pw"));
            String remote = storage.remotePathFor(BackupType.APP, "wiki", "app-1", BackupFormat.RSYNC);
            storage.write(source, remote, BackupFormat.RSYNC, BackupStorage.Listener.NONE);
            Path restored = tmp.resolve("restored");
            storage.restore(remote, BackupFormat.RSYNC, storage.encryptionVersion(), restored,
                    BackupStorage.Listener.NONE);
            for (Path copy : List.of(tmp.resolve("mount").resolve(remote), restored)) {
                for (String dir : dirs) {
                    assertEquals(Files.getLastModifiedTime(source.resolve(dir)),
                            Files.getLastModifiedTime(copy.resolve(dir)), copy + ": the time of " + dir);
                    assertEquals(Files.getPosixFilePermissions(source.resolve(dir)),
                            Files.getPosixFilePermissions(copy.resolve(dir)), copy + ": the permissions of " + dir);
                }
            }
            assertEquals(tree(source), tree(restored));
            storage.delete(remote);
            BackupStorage.deleteTree(restored);
            assertFalse(Files.exists(tmp.resolve("mount").resolve(remote)), "a read-only directory is deleted too");
            assertFalse(Files.exists(restored));
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void encryptedBackupsHoldNeitherThePlaintextNorThePassword() throws IOException {
        Path source = appDir();
        Files.writeString(source.resolve("data/secret.txt"), "PLAINTEXT-MARKER ".repeat(100));
        for (BackupFormat format : BackupFormat.values()) {
            BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.of("PASSWORD-MARKER"));
            String remote = storage.remotePathFor(BackupType.APP, "wiki", "app-" + format.sql(), format);
            storage.write(source, remote, format, BackupStorage.Listener.NONE);
            try (Stream<Path> files = Files.walk(tmp.resolve("mount").resolve(remote))) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(raw.contains("PLAINTEXT-MARKER"), f + " holds plaintext");
                    assertFalse(raw.contains("PASSWORD-MARKER"), f + " holds the password");
                }
            }
        }
    }

    @Test
    void restoringAnEncryptedBackupNeedsTheRightPassword() throws IOException {
        Path source = appDir();
        BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.of("pw"));
        String remote = storage.remotePathFor(BackupType.APP, "wiki", "app-1", BackupFormat.TGZ);
        storage.write(source, remote, BackupFormat.TGZ, BackupStorage.Listener.NONE);
        IOException none = assertThrows(IOException.class, () -> new BackupStorage(tmp.resolve("mount"), Secret.none())
                .restore(remote, BackupFormat.TGZ, 1, tmp.resolve("r1"), BackupStorage.Listener.NONE));
        assertTrue(none.getMessage().contains("is encrypted, and no backup password is configured"), none.getMessage());
        IOException wrong = assertThrows(IOException.class, () -> new BackupStorage(tmp.resolve("mount"),
                Secret.of("other")).restore(remote, BackupFormat.TGZ, 1, tmp.resolve("r2"), BackupStorage.Listener.NONE));
        assertTrue(wrong.getMessage().contains("wrong backup password"), wrong.getMessage());
        IOException version = assertThrows(IOException.class, () -> storage.restore(remote, BackupFormat.TGZ, 2,
                tmp.resolve("r3"), BackupStorage.Listener.NONE));
        assertTrue(version.getMessage().contains("uses encryption version 2"), version.getMessage());
    }

    @Test
    void symbolicLinksAreRefusedNamingThePath() throws IOException {
        Path source = appDir();
        Files.createSymbolicLink(source.resolve("link"), source.resolve("icon.png"));
        BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.none());
        IOException e = assertThrows(IOException.class, () -> storage.write(source, "app/wiki/x.tar.gz",
                BackupFormat.TGZ, BackupStorage.Listener.NONE));
        assertTrue(e.getMessage().contains(source.resolve("link") + ": only regular files and directories"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("mount/app/wiki/x.tar.gz")));
    }

    @Test
    void aTarEntryPointingOutsideTheTargetIsRefused() throws IOException {
        Path mount = tmp.resolve("mount");
        Files.createDirectories(mount.resolve("app/evil"));
        try (OutputStream raw = Files.newOutputStream(mount.resolve("app/evil/b.tar.gz"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(raw))) {
            TarArchiveEntry entry = new TarArchiveEntry("../../escaped.txt");
            entry.setSize(3);
            tar.putArchiveEntry(entry);
            tar.write(new byte[] {'b', 'a', 'd'});
            tar.closeArchiveEntry();
        }
        BackupStorage storage = new BackupStorage(mount, Secret.none());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> storage.restore(
                "app/evil/b.tar.gz", BackupFormat.TGZ, null, tmp.resolve("target"), BackupStorage.Listener.NONE));
        assertTrue(e.getMessage().contains("points outside"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
    }

    @Test
    void aFailedWriteLeavesNothingAndDeleteTidiesUp() throws IOException {
        Path source = appDir();
        BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.none());
        for (BackupFormat format : BackupFormat.values()) {
            String remote = storage.remotePathFor(BackupType.APP, "wiki", "app-" + format.sql(), format);
            IOException e = assertThrows(IOException.class, () -> storage.write(source, remote, format,
                    (done, total) -> {
                        if (done > 100_000) {
                            throw new java.io.InterruptedIOException("stop");
                        }
                    }));
            assertEquals("stop", e.getMessage());
            assertFalse(Files.exists(tmp.resolve("mount").resolve(remote)), format + ": no backup");
            assertFalse(Files.exists(tmp.resolve("mount").resolve(remote + ".partial")), format + ": no partial");
            storage.write(source, remote, format, BackupStorage.Listener.NONE);
            storage.delete(remote);
            assertFalse(Files.exists(tmp.resolve("mount").resolve(remote)));
        }
        assertFalse(Files.exists(tmp.resolve("mount/app/wiki")), "empty directories are removed");
        assertTrue(Files.isDirectory(tmp.resolve("mount")), "but not the root");
        storage.delete("app/wiki/never-written.tar.gz"); // deleting what is not there succeeds
    }

    @Test
    void remotePathsCannotEscapeTheRoot() {
        BackupStorage storage = new BackupStorage(tmp.resolve("mount"), Secret.none());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> storage.delete("../outside"));
        assertTrue(e.getMessage().contains("points outside"), e.getMessage());
    }
}
