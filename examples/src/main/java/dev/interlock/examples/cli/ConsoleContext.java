package dev.interlock.examples.cli;

import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.examples.domain.LockNames;
import dev.interlock.examples.domain.WorkContext;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Collectors;

/** The {@link WorkContext} of an operation run in the operator's own command: prints waits, progress and notes. */
final class ConsoleContext implements WorkContext {
    private final LockManager locks;
    private final PrintWriter out;
    private final Duration lockWait;
    private int lastQuarter;

    ConsoleContext(LockManager locks, PrintWriter out, Duration lockWait) {
        this.locks = locks;
        this.out = out;
        this.lockWait = lockWait;
    }

    @Override
    public Lease lock(LockRequest request) throws InterruptedException {
        Optional<Lease> now = locks.tryAcquire(request);
        if (now.isPresent()) {
            return now.get();
        }
        LockSnapshot snapshot = locks.snapshot();
        out.println("waiting up to " + lockWait.toSeconds() + " s for " + request + ": "
                + request.locks().keySet().stream().flatMap(n -> snapshot.grantsOf(n).stream())
                .map(g -> g.describe() + " [" + LockNames.why(g.lock()) + "]").collect(Collectors.joining("; ")));
        out.flush();
        return locks.acquire(request, lockWait);
    }

    @Override
    public void progress(double fraction, String message) {
        int quarter = (int) (fraction * 4);
        if (quarter > lastQuarter) {
            lastQuarter = quarter;
            out.println("  " + (int) (fraction * 100) + "% " + message);
            out.flush();
        }
    }

    @Override
    public void note(String message) {
        out.println(message);
        out.flush();
    }
}
