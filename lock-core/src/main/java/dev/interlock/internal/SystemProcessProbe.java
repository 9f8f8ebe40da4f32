package dev.interlock.internal;

import dev.interlock.ProcessProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The {@link ProcessProbe} of the running system, reading {@code /proc}. A missing {@code /proc/<pid>} means
 * the process is gone, except when {@code /proc} is mounted with {@code hidepid}: then other users' processes
 * are invisible and a missing directory proves nothing. A {@code /proc} of another pid namespace than this
 * process's ({@code /proc/self} names another pid) is not used at all: its pids are not the ones holders record.
 */
public final class SystemProcessProbe implements ProcessProbe {

    /** The probe of this JVM's system. */
    public static final SystemProcessProbe INSTANCE = new SystemProcessProbe(Path.of("/proc"));

    private final Path proc;
    private final String hostName;
    private final String bootId;
    private final String pidNamespace;
    private final boolean procUsable;
    private final boolean hidden;

    SystemProcessProbe(Path proc) {
        this.proc = proc;
        ProcSelf self = ProcSelf.read();
        this.hostName = self.host();
        this.bootId = self.bootId();
        this.pidNamespace = self.pidNamespace();
        // a /proc of another pid namespace (its "self" names another pid than ours) tells nothing about our pids
        this.procUsable = Files.isDirectory(proc.resolve("self"))
                && ProcSelf.procIsOwn(proc, ProcessHandle.current().pid());
        this.hidden = procUsable && hidepid(proc.resolve("self/mountinfo"));
    }

    /** Whether the /proc mount has a hidepid option other than 0/off. */
    static boolean hidepid(Path mountinfo) {
        try {
            for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
                // "... <mount point> <options> ... - proc proc <super options>"
                String[] halves = line.split(" - ", 2);
                String[] fields = halves[0].split(" ");
                if (fields.length < 5 || !fields[4].equals("/proc") || halves.length < 2) {
                    continue;
                }
                for (String option : halves[1].split("[ ,]")) {
                    if (option.startsWith("hidepid=") && !option.equals("hidepid=0") && !option.equals("hidepid=off")) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | SecurityException e) {
            return true; // cannot tell: assume hidden, so a missing pid is never taken for a dead one
        }
    }

    @Override
    public String hostName() {
        return hostName;
    }

    @Override
    public String bootId() {
        return procUsable ? bootId : null;
    }

    @Override
    public String pidNamespace() {
        return procUsable ? pidNamespace : null;
    }

    @Override
    public ProcessStatus status(long pid) {
        if (!procUsable || pid <= 0) {
            return ProcessStatus.unknown();
        }
        Path stat = proc.resolve(Long.toString(pid)).resolve("stat");
        String text;
        try {
            text = Files.readString(stat, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return hidden ? ProcessStatus.unknown() : ProcessStatus.gone();
        } catch (AccessDeniedException | SecurityException e) {
            return ProcessStatus.unknown();
        } catch (IOException e) {
            // e.g. ESRCH while the process exits between open and read
            return Files.exists(stat.getParent()) ? ProcessStatus.unknown()
                    : hidden ? ProcessStatus.unknown() : ProcessStatus.gone();
        }
        String[] fields = ProcSelf.parseStat(text);
        if (fields == null) {
            return ProcessStatus.unknown();
        }
        String state = fields[0];
        if (state.equals("Z")) {
            return ProcessStatus.zombie();
        }
        if (state.equals("X") || state.equals("x")) {
            return ProcessStatus.gone();
        }
        try {
            return ProcessStatus.running(Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            return ProcessStatus.running(null);
        }
    }

    @Override
    public String toString() {
        return "SystemProcessProbe[host=" + hostName + ", bootId=" + bootId() + ", pidNs=" + pidNamespace()
                + ", hidepid=" + hidden + "]";
    }
}
