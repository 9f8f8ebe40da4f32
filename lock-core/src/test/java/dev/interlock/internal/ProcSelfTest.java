package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.interlock.Holder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcSelfTest {

    @Test
    void startTicksAreReadAfterTheLastParenthesis(@TempDir Path dir) throws Exception {
        // a command name with spaces and parentheses, as a process may set for itself
        Files.writeString(dir.resolve("stat"), "4242 (evil) name (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 "
                + "20 0 1 0 987654 1000 10 18446744073709551615\n");
        assertEquals(987654L, ProcSelf.startTicks(dir));
    }

    @Test
    void missingOrShortStatGivesNull(@TempDir Path dir) throws Exception {
        assertNull(ProcSelf.startTicks(dir));
        Files.writeString(dir.resolve("stat"), "1 (x) S 1 2");
        assertNull(ProcSelf.startTicks(dir));
    }

    @Test
    void currentProcessIsDescribed() {
        Holder h = Holder.currentProcess("t-1");
        assertEquals(ProcessHandle.current().pid(), h.pid());
        assertEquals("t-1", h.task());
        if (Files.isDirectory(Path.of("/proc/self"))) {
            assertEquals(ProcSelf.startTicks(Path.of("/proc/" + h.pid())), h.startTicks());
            assertEquals(ProcSelf.readBootId(), h.bootId());
        }
        assertEquals(h.host() + " pid " + h.pid() + " (task t-1)", h.describe());
    }
}
