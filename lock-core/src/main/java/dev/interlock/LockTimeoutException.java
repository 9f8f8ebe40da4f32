package dev.interlock;

import java.time.Duration;
import java.util.List;

/**
 * Thrown by {@link LockManager#acquire} when the request could not be granted within the allowed wait.
 * The message and {@link #blockers()} name the grants that stood in the way at the last attempt.
 */
public class LockTimeoutException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    private final transient LockRequest request;
    /** How long the caller waited. */
    private final Duration waited;
    private final transient List<LockSnapshot.Grant> blockers;

    /**
     * @param message  the full message
     * @param request  the request that was not granted
     * @param waited   how long the caller waited
     * @param blockers the grants that conflicted with the request at the last attempt (may be empty if the
     *                 last attempts failed for other reasons, such as compare-and-set conflicts)
     */
    public LockTimeoutException(String message, LockRequest request, Duration waited,
                                List<LockSnapshot.Grant> blockers) {
        super(message);
        this.request = request;
        this.waited = waited;
        this.blockers = List.copyOf(blockers);
    }

    /** @return the request that was not granted */
    public LockRequest request() {
        return request;
    }

    /** @return how long the caller waited before giving up */
    public Duration waited() {
        return waited;
    }

    /** @return the grants that conflicted with the request at the last attempt */
    public List<LockSnapshot.Grant> blockers() {
        return blockers;
    }
}
