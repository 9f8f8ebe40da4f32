package dev.interlock.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What the operating system says about the calling process. Reads {@code /proc} where it exists and falls
 * back to the JDK ({@link ProcessHandle}, {@link InetAddress}) elsewhere.
 *
 * @param host         host name
 * @param bootId       kernel boot id, or null
 * @param pidNamespace pid namespace inode, or null
 * @param pid          pid
 * @param startTicks   start time in clock ticks since boot, or null
 * @param startedAt    start time, or null
 */
public record ProcSelf(String host, String bootId, String pidNamespace, long pid, Long startTicks, Instant startedAt) {

    private static final Path PROC = Path.of("/proc");

    /**
     * The calling process's identity. Where {@code /proc} belongs to another pid namespace than the process (a
     * process started by {@code unshare --pid --fork} without a {@code /proc} of its own), {@code /proc/<pid>}
     * describes another process: the pid namespace and start ticks are then {@code null}, so that no process judges
     * this one by its pid (only by its lease, or an operator).
     *
     * @return the calling process's identity
     */
    public static ProcSelf read() {
        long pid = ProcessHandle.current().pid();
        Instant startedAt = ProcessHandle.current().info().startInstant().orElse(null);
        boolean own = procIsOwn(PROC, pid);
        return new ProcSelf(hostName(), readBootId(), own ? pidNamespace(PROC.resolve("self")) : null, pid,
                own ? startTicks(PROC.resolve(Long.toString(pid))) : null, startedAt);
    }

    /**
     * @param proc the proc file system, {@code /proc}
     * @param pid  the calling process's pid, as the JVM knows it ({@code getpid()})
     * @return whether {@code proc} shows the pid namespace of the calling process: {@code proc/self} names the
     *     same pid; false if it names another (a {@code /proc} of an outer namespace) or cannot be read
     */
    public static boolean procIsOwn(Path proc, long pid) {
        try {
            return Long.parseLong(Files.readSymbolicLink(proc.resolve("self")).getFileName().toString()) == pid;
        } catch (IOException | UnsupportedOperationException | SecurityException | NumberFormatException e) {
            return false;
        }
    }

    static String hostName() {
        String fromProc = readTrimmed(PROC.resolve("sys/kernel/hostname"));
        if (fromProc != null && !fromProc.isEmpty()) {
            return fromProc;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    /** @return the boot id, or null where /proc does not tell */
    public static String readBootId() {
        return readTrimmed(PROC.resolve("sys/kernel/random/boot_id"));
    }

    /**
     * @param procDir {@code /proc/<pid>} or {@code /proc/self}
     * @return the pid namespace inode of that process, or null
     */
    public static String pidNamespace(Path procDir) {
        try {
            // the link reads "pid:[4026531836]"
            String link = Files.readSymbolicLink(procDir.resolve("ns/pid")).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']', open + 1);
            return open >= 0 && close > open ? link.substring(open + 1, close) : link;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /**
     * @param procDir {@code /proc/<pid>}
     * @return field 22 of {@code stat} (start time in clock ticks since boot), or null if unreadable
     */
    public static Long startTicks(Path procDir) {
        String[] fields = statFieldsAfterComm(procDir);
        if (fields == null) {
            return null;
        }
        try {
            return Long.parseLong(fields[19]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Splits {@code /proc/<pid>/stat} after the command name, which is in parentheses and may itself hold
     * spaces and parentheses: everything up to the <em>last</em> ')' belongs to it.
     *
     * @param procDir {@code /proc/<pid>}
     * @return fields 3 onwards, or null if the file cannot be read
     */
    public static String[] statFieldsAfterComm(Path procDir) {
        String stat = readTrimmed(procDir.resolve("stat"));
        return stat == null ? null : parseStat(stat);
    }

    /**
     * @param stat the text of a {@code stat} file
     * @return fields 3 onwards (field 3, the state, at index 0; field 22, the start ticks, at index 19), or
     *     null if the text is malformed
     */
    public static String[] parseStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return null;
        }
        String[] fields = stat.substring(close + 2).trim().split(" +");
        return fields.length < 20 ? null : fields;
    }

    private static String readTrimmed(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
