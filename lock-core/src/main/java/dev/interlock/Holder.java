package dev.interlock;

import dev.interlock.internal.ProcSelf;
import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a lock: the identity of one process, recorded beside every grant it holds so that other
 * processes can tell whether it is still alive and whose locks they are looking at.
 *
 * <p>{@link #currentProcess(String)} fills in what the operating system tells about the calling process.
 * On Linux that is the host name, the boot id ({@code /proc/sys/kernel/random/boot_id}), the pid namespace
 * (the inode of {@code /proc/self/ns/pid}), the pid and the process start time in clock ticks (field 22 of
 * {@code /proc/self/stat}); where {@code /proc} is missing, the boot id, pid namespace and start ticks are
 * {@code null}, and the holder can then only be judged dead through a lease.
 *
 * <p>Immutable and thread-safe.
 *
 * @param host         the host name, 1 to 255 characters
 * @param bootId       the kernel's boot id, or {@code null} if unknown
 * @param pidNamespace the pid namespace id, or {@code null} if unknown
 * @param pid          the process id, {@code >= 0}
 * @param startTicks   the process start time in clock ticks since boot, or {@code null} if unknown
 * @param startedAt    the process start time, or {@code null} if unknown (informational)
 * @param task         the task this process runs (e.g. {@code backup-17}), or {@code null}
 * @param label        a free text for operators (e.g. the command line), or {@code null}
 */
public record Holder(String host, String bootId, String pidNamespace, long pid, Long startTicks, Instant startedAt,
                     String task, String label) {

    /** The longest host name. */
    public static final int MAX_HOST_LENGTH = 255;
    /** The longest task id, boot id, pid namespace id or label. */
    public static final int MAX_TEXT_LENGTH = 200;

    /**
     * Validates the fields.
     *
     * @param host the host name, 1 to 255 characters
     * @param bootId the kernel's boot id, or {@code null} if unknown
     * @param pidNamespace the pid namespace id, or {@code null} if unknown
     * @param pid the process id, {@code >= 0}
     * @param startTicks the process start time in clock ticks since boot, or {@code null} if unknown
     * @param startedAt the process start time, or {@code null} if unknown (informational)
     * @param task the task this process runs (e.g. {@code backup-17}), or {@code null}
     * @param label a free text for operators (e.g. the command line), or {@code null}
     * @throws IllegalArgumentException if a text is empty, too long or holds control characters, or pid or
     *                                  startTicks is negative
     */
    public Holder {
        Names.check("host", host, MAX_HOST_LENGTH);
        Names.checkOptional("bootId", bootId, MAX_TEXT_LENGTH);
        Names.checkOptional("pidNamespace", pidNamespace, MAX_TEXT_LENGTH);
        if (pid < 0) {
            throw new IllegalArgumentException("pid must be >= 0, was " + pid);
        }
        if (startTicks != null && startTicks < 0) {
            throw new IllegalArgumentException("startTicks must be >= 0, was " + startTicks);
        }
        Names.checkOptional("task", task, MAX_TEXT_LENGTH);
        Names.checkOptional("label", label, MAX_TEXT_LENGTH);
    }

    /**
     * The identity of the calling process.
     *
     * @param task the task this process runs, or {@code null}
     * @return the holder
     * @throws IllegalArgumentException if the task id is invalid
     */
    public static Holder currentProcess(String task) {
        ProcSelf self = ProcSelf.read();
        return new Holder(self.host(), self.bootId(), self.pidNamespace(), self.pid(), self.startTicks(),
                self.startedAt(), task, null);
    }

    /**
     * @param task a task id, or {@code null}
     * @return a copy with another task id
     */
    public Holder withTask(String task) {
        return new Holder(host, bootId, pidNamespace, pid, startTicks, startedAt, task, label);
    }

    /**
     * @param label an operator's label, or {@code null}
     * @return a copy with another label
     */
    public Holder withLabel(String label) {
        return new Holder(host, bootId, pidNamespace, pid, startTicks, startedAt, task, label);
    }

    /** @return e.g. {@code box-1 pid 4711 (task backup-17)}: the form used in messages */
    public String describe() {
        StringBuilder out = new StringBuilder(host).append(" pid ").append(pid);
        if (task != null) {
            out.append(" (task ").append(task).append(')');
        }
        return out.toString();
    }

    /**
     * @param other another holder
     * @return whether both describe the same process, ignoring task and label
     */
    public boolean sameProcess(Holder other) {
        return Objects.equals(host, other.host) && Objects.equals(bootId, other.bootId)
                && Objects.equals(pidNamespace, other.pidNamespace) && pid == other.pid
                && Objects.equals(startTicks, other.startTicks);
    }
}
