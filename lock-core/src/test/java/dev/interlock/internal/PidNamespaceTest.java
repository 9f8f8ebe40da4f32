package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.interlock.Holder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process in a pid namespace of its own whose {@code /proc} is still the host's ({@code unshare --pid --fork}
 * without a new {@code /proc}): its pid (1 there) and {@code /proc/<pid>} describe different processes. It must record
 * no pid identity (so nobody judges it by its pid) and must judge nobody by pids itself. Real namespaces, real
 * processes: Linux only.
 */
class PidNamespaceTest {

    /** What the child JVM prints: its identity as recorded, and what its probe says. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args none
         */
        public static void main(String[] args) {
            Holder h = Holder.currentProcess("ns");
            SystemProcessProbe probe = new SystemProcessProbe(Path.of("/proc"));
            System.out.println("IDENTITY pid=" + h.pid() + " pidNs=" + h.pidNamespace() + " ticks=" + h.startTicks()
                    + " probeNs=" + probe.pidNamespace() + " probeBoot=" + (probe.bootId() != null)
                    + " status2=" + probe.status(2).state());
        }
    }

    private static String run(List<String> prefix) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), command + ":\n" + out);
        return out.lines().filter(l -> l.startsWith("IDENTITY")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    @Test
    void aProcessSeeingAnotherNamespacesProcRecordsNoPidIdentityAndJudgesNoPid() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux with /proc only");
        Path unshare = Path.of("/usr/bin/unshare");
        assertTrue(Files.isExecutable(unshare), "util-linux's unshare is needed for this test");

        // without a namespace of its own: a full identity, and the probe judges pids
        String plain = run(List.of());
        assertFalse(plain.contains("pidNs=null") || plain.contains("ticks=null") || plain.contains("probeNs=null"),
                plain);

        // in a pid namespace of its own (a user namespace too, so that no privilege is needed), /proc still the host's
        String inside = run(List.of(unshare.toString(), "--user", "--map-root-user", "--pid", "--fork"));
        assertTrue(inside.startsWith("IDENTITY pid=1 "), "the JVM is pid 1 of its namespace: " + inside);
        assertTrue(inside.contains(" pidNs=null ticks=null "), "no pid identity recorded: " + inside);
        assertTrue(inside.contains(" probeNs=null probeBoot=false status2=UNKNOWN"),
                "its probe judges no pid and no reboot: " + inside);
    }

    @Test
    void procIsOwnComparesTheSelfLinkWithThePid(@TempDir Path proc) throws Exception {
        Files.createSymbolicLink(proc.resolve("self"), Path.of("4242"));
        assertTrue(ProcSelf.procIsOwn(proc, 4242));
        assertFalse(ProcSelf.procIsOwn(proc, 1));
        assertFalse(ProcSelf.procIsOwn(proc.resolve("missing"), 4242));
        assertTrue(ProcSelf.procIsOwn(Path.of("/proc"), ProcessHandle.current().pid())
                || !Files.isDirectory(Path.of("/proc/self")));
    }
}
