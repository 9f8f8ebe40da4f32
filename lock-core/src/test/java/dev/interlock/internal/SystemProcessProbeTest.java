package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.interlock.ProcessProbe.ProcessStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /proc probe against real processes: running, killed, zombie. Linux only. */
class SystemProcessProbeTest {

    @BeforeAll
    static void linux() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
    }

    private final SystemProcessProbe probe = SystemProcessProbe.INSTANCE;

    @Test
    void seesARunningProcessThenItsDeath() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            ProcessStatus running = probe.status(sleeper.pid());
            assertEquals(ProcessStatus.State.RUNNING, running.state());
            assertEquals(ProcSelf.startTicks(Path.of("/proc/" + sleeper.pid())), running.startTicks());
        } finally {
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(ProcessStatus.State.GONE, probe.status(sleeper.pid()).state());
    }

    @Test
    void seesAZombie() throws Exception {
        // "sleep 0" is left to the shell, which then execs into "sleep 30" and never waits for it: a zombie
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            long zombie;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8))) {
                zombie = Long.parseLong(out.readLine().trim());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            ProcessStatus status = probe.status(zombie);
            while (status.state() != ProcessStatus.State.ZOMBIE && System.nanoTime() < deadline) {
                Thread.sleep(20);
                status = probe.status(zombie);
            }
            assertEquals(ProcessStatus.State.ZOMBIE, status.state());
        } finally {
            parent.destroyForcibly();
            parent.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void thisProcessIsRunning() {
        assertEquals(ProcessStatus.State.RUNNING, probe.status(ProcessHandle.current().pid()).state());
        assertEquals(ProcSelf.readBootId(), probe.bootId());
    }

    @Test
    void hidepidIsRecognised(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain");
        Files.writeString(plain, "22 1 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n");
        assertFalse(SystemProcessProbe.hidepid(plain));
        Path hidden = dir.resolve("hidden");
        Files.writeString(hidden, "22 1 0:5 / /proc rw,nosuid - proc proc rw,hidepid=2\n");
        assertTrue(SystemProcessProbe.hidepid(hidden));
        Path invisible = dir.resolve("invisible");
        Files.writeString(invisible, "22 1 0:5 / /proc rw - proc proc rw,hidepid=invisible,gid=4\n");
        assertTrue(SystemProcessProbe.hidepid(invisible));
        Path off = dir.resolve("off");
        Files.writeString(off, "22 1 0:5 / /proc rw - proc proc rw,hidepid=0\n");
        assertFalse(SystemProcessProbe.hidepid(off));
        assertTrue(SystemProcessProbe.hidepid(dir.resolve("missing")), "cannot tell: assume hidden");
    }

    @Test
    void hiddenProcTurnsMissingPidsIntoUnknown(@TempDir Path dir) throws Exception {
        // a /proc of this process's pid namespace: "self" names this process's pid
        String me = Long.toString(ProcessHandle.current().pid());
        Files.createDirectories(dir.resolve(me));
        Files.createSymbolicLink(dir.resolve("self"), Path.of(me));
        Files.writeString(dir.resolve("self/mountinfo"), "22 1 0:5 / /proc rw - proc proc rw,hidepid=2\n");
        assertEquals(ProcessStatus.State.UNKNOWN, new SystemProcessProbe(dir).status(4242).state());
        Files.writeString(dir.resolve("self/mountinfo"), "22 1 0:5 / /proc rw - proc proc rw\n");
        assertEquals(ProcessStatus.State.GONE, new SystemProcessProbe(dir).status(4242).state());
    }

    @Test
    void aProcOfAnotherPidNamespaceIsNotUsed(@TempDir Path dir) throws Exception {
        // "self" names another pid than this process's: the /proc of an outer pid namespace
        Files.createDirectories(dir.resolve("999999999"));
        Files.createSymbolicLink(dir.resolve("self"), Path.of("999999999"));
        Files.writeString(dir.resolve("999999999/mountinfo"), "22 1 0:5 / /proc rw - proc proc rw\n");
        SystemProcessProbe probe = new SystemProcessProbe(dir);
        assertEquals(ProcessStatus.State.UNKNOWN, probe.status(4242).state(), "a missing pid proves nothing");
        assertEquals(null, probe.pidNamespace());
        assertEquals(null, probe.bootId());
    }
}
