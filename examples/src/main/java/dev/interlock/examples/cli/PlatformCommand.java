package dev.interlock.examples.cli;

import dev.interlock.LockListener;
import dev.interlock.LockManager;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that opens the platform (database, home directory) and closes it when done. */
abstract class PlatformCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public Integer call() throws Exception {
        try (ConnectionOptions.Session session = connection.open(err())) {
            return run(session);
        }
    }

    /**
     * @param session the open platform
     * @return the exit code
     * @throws Exception anything; reported as {@code error: <message>}
     */
    abstract int run(ConnectionOptions.Session session) throws Exception;

    /**
     * @param session the open platform
     * @param what    what this command does, recorded as the holder's task
     * @return a lock manager of this command's process
     */
    static LockManager locks(ConnectionOptions.Session session, String what) {
        return session.platform().lockManager(what, new LockListener() { });
    }
}
