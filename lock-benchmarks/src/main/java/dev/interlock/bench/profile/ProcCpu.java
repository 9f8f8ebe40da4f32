package dev.interlock.bench.profile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * CPU time from Linux's {@code /proc}: of this JVM, of another process (the database server), and of the whole
 * machine (busy and total), in nanoseconds. Readings that are not available come back empty (or as zero).
 */
public final class ProcCpu {

    /** Clock ticks per second of {@code /proc} times (USER_HZ); 100 on every Linux we run on. */
    static final long TICKS_PER_SECOND = 100;

    private ProcCpu() {
    }

    /** @return this JVM's CPU time */
    public static long processNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /**
     * @param pid a process id
     * @return its user + system CPU time, if readable
     */
    public static OptionalLong processNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name (in parentheses, which may contain spaces)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return OptionalLong.of(ticks * 1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @return the machine's busy and total CPU time over all cores since boot: {busy, total}, or {0, 0}
     */
    public static long[] machineNanos() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            return parseMachine(lines.get(0));
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static long[] parseMachine(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            long v = Long.parseLong(f[i]);
            total += v;
            if (i == 4 || i == 5) {
                idle += v;
            }
        }
        long scale = 1_000_000_000L / TICKS_PER_SECOND;
        return new long[] {(total - idle) * scale, total * scale};
    }

    /**
     * Finds the server process listening on a port of this machine, by its command line.
     *
     * @param port the TCP port of the database server
     * @return its pid, if found
     */
    public static OptionalLong findServer(int port) {
        try (var dirs = Files.list(Path.of("/proc"))) {
            return dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            String cmd = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                            return (cmd.contains("mariadbd") || cmd.contains("mysqld")) && cmd.contains("--port=" + port);
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
