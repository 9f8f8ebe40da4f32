package dev.interlock;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ProcessProbe} whose host, boot id, pid namespace and processes a test sets. Thread-safe. */
public final class FakeProcessProbe implements ProcessProbe {
    private volatile String hostName;
    private volatile String bootId;
    private volatile String pidNamespace;
    private final Map<Long, ProcessStatus> processes = new ConcurrentHashMap<>();

    /**
     * @param hostName     this host's name
     * @param bootId       this host's boot id
     * @param pidNamespace this process's pid namespace
     */
    public FakeProcessProbe(String hostName, String bootId, String pidNamespace) {
        this.hostName = hostName;
        this.bootId = bootId;
        this.pidNamespace = pidNamespace;
    }

    /** Sets what {@link #status} reports for {@code pid}; unset pids are {@code GONE}. */
    public FakeProcessProbe set(long pid, ProcessStatus status) {
        processes.put(pid, status);
        return this;
    }

    @Override
    public String hostName() {
        return hostName;
    }

    @Override
    public String bootId() {
        return bootId;
    }

    @Override
    public String pidNamespace() {
        return pidNamespace;
    }

    @Override
    public ProcessStatus status(long pid) {
        return processes.getOrDefault(pid, ProcessStatus.gone());
    }
}
