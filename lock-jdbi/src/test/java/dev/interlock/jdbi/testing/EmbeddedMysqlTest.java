package dev.interlock.jdbi.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded MySQL says how to fix what keeps its server from running, instead of failing obscurely. */
class EmbeddedMysqlTest {

    private static void fakeMysqld(Path basedir, String script) throws Exception {
        Path bin = Files.createDirectories(basedir.resolve("bin"));
        Path mysqld = bin.resolve("mysqld");
        Files.writeString(mysqld, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(mysqld, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aMissingLibaioIsNamedWithTheCommandThatInstallsIt(@TempDir Path basedir) throws Exception {
        // what the dynamic loader prints when libaio is not installed
        fakeMysqld(basedir, "echo \"$0: error while loading shared libraries: libaio.so.1: cannot open shared object"
                + " file: No such file or directory\" >&2; exit 127");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedMysql.checkRuns(basedir));
        assertTrue(e.getMessage().contains("needs the libaio library") && e.getMessage().contains("apt-get install libaio1"),
                e.getMessage());
    }

    @Test
    void anyOtherFailureQuotesTheServer(@TempDir Path basedir) throws Exception {
        fakeMysqld(basedir, "echo 'mysqld: something else went wrong' >&2; exit 1");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedMysql.checkRuns(basedir));
        assertTrue(e.getMessage().contains("--version failed (exit 1): mysqld: something else went wrong"),
                e.getMessage());
    }

    @Test
    void aServerThatRunsPasses(@TempDir Path basedir) throws Exception {
        fakeMysqld(basedir, "echo 'mysqld  Ver 8.0.15 for linux-glibc2.12 on x86_64'");
        EmbeddedMysql.checkRuns(basedir);
    }
}
