package dev.interlock.internal;

import dev.interlock.Holder;
import dev.interlock.ProcessProbe;
import dev.interlock.ProcessProbe.ProcessStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether another holder is provably dead, so that its grants may be removed. A holder with a lease is
 * judged by its lease alone, by the database's clock: expired, it is dead; running, it is alive, whatever the host
 * rules below would say, since they trust identities that nothing makes unique (two machines may share a host name,
 * machines restored from one memory snapshot share a boot id, and the initial pid namespace has the same inode on
 * every Linux host). A holder without a lease is judged by the host rules of {@link ProcessProbe}: on this host
 * (same host name, boot id and pid namespace) a pid that is gone, a zombie or reused; this host's name with another
 * boot id. Anything else counts as alive.
 */
final class Liveness {

    /** Host names too common to identify a machine by. */
    private static final Set<String> GENERIC_HOSTS = Set.of("localhost", "localhost.localdomain");

    private final ProcessProbe probe;

    Liveness(ProcessProbe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    /**
     * @param record the holder's record
     * @param now    the store's clock at the read
     * @return why the holder is dead, or {@code null} if it may be alive
     */
    String deadReason(LockDocument.HolderRecord record, Instant now) {
        if (record.leaseUntil != null) {
            // a running lease protects its holder from every host rule
            return now.isBefore(record.leaseUntil) ? null
                    : "its lease ran out at " + record.leaseUntil + " (database time " + now + ")";
        }
        Holder h = record.holder;
        String bootId = probe.bootId();
        if (bootId != null && bootId.equals(h.bootId()) && h.host().equals(probe.hostName())) {
            String pidNs = probe.pidNamespace();
            if (pidNs == null || !pidNs.equals(h.pidNamespace())) {
                return null; // another pid namespace on this host: its pids mean nothing here
            }
            ProcessStatus status = probe.status(h.pid());
            switch (status.state()) {
                case GONE:
                    return "pid " + h.pid() + " is gone (same host, boot id and pid namespace)";
                case ZOMBIE:
                    return "pid " + h.pid() + " has exited (zombie)";
                case RUNNING:
                    if (status.startTicks() != null && h.startTicks() != null
                            && !status.startTicks().equals(h.startTicks())) {
                        return "pid " + h.pid() + " now belongs to another process (start ticks "
                                + status.startTicks() + ", the holder's were " + h.startTicks() + ")";
                    }
                    return null;
                default:
                    return null;
            }
        }
        if (bootId != null && h.bootId() != null && !bootId.equals(h.bootId()) && h.host().equals(probe.hostName())
                && !GENERIC_HOSTS.contains(h.host())) {
            return "host " + h.host() + " rebooted (boot id " + h.bootId() + " then, " + bootId + " now)";
        }
        return null;
    }
}
