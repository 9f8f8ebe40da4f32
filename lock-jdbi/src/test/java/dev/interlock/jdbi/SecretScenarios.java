package dev.interlock.jdbi;

import com.mysql.cj.jdbc.MysqlDataSource;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.spi.Stored;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The child process of {@link SecretsIT}: runs failing scenarios with logging at TRACE for every logger, and
 * prints every exception (with its causes and stack) and the {@code toString()} of every object it touches. Its
 * parent reads all of it and looks for the password, URLs with credentials, and the marker carried in the
 * documents.
 *
 * <p>It prints {@code SCENARIO name} before each scenario and {@code OUTCOME name ExceptionClass: message} for
 * each exception a scenario expects. The database comes from the environment: {@code SECRETS_PORT} (a MariaDB on
 * localhost whose grant tables are in force), {@code SECRETS_DB} (with the lock table), {@code SECRETS_USER},
 * {@code SECRETS_PASSWORD}, {@code SECRETS_WRONG_PASSWORD}, {@code SECRETS_MARKER}.
 */
public final class SecretScenarios {

    private static final String PORT = System.getenv("SECRETS_PORT");
    private static final String DB = System.getenv("SECRETS_DB");
    private static final String USER = System.getenv("SECRETS_USER");
    private static final String PASSWORD = System.getenv("SECRETS_PASSWORD");
    private static final String WRONG = System.getenv("SECRETS_WRONG_PASSWORD");
    private static final String MARKER = System.getenv("SECRETS_MARKER");

    private SecretScenarios() {
    }

    @FunctionalInterface
    private interface Scenario {
        void run() throws Exception;
    }

    /**
     * @param args none
     */
    public static void main(String[] args) {
        // allowPublicKeyRetrieval: MySQL's caching_sha2_password needs the server's key over a connection without TLS
        String url = "jdbc:mysql://localhost:" + PORT + "/" + DB + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
        // credentials in the URL, as some applications configure them
        String urlWithPassword = url + "&user=" + USER + "&password=" + PASSWORD;

        scenario("wrong password", () -> JdbiLockStore.create(source(url, USER, WRONG)));
        scenario("wrong password in the URL", () -> JdbiLockStore.create(source(url + "&user=" + USER + "&password="
                + WRONG, null, null)));
        scenario("connection refused", () -> {
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            }
            JdbiLockStore.create(source("jdbc:mysql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + closed + "/" + DB
                    + "?connectTimeout=1000&password=" + PASSWORD, USER, PASSWORD));
        });
        scenario("malformed URL", () -> JdbiLockStore.create(source("jdbc:mysql://" + USER + ":" + PASSWORD
                + "@[localhost:" + PORT + "/" + DB + "?password=" + PASSWORD + "&x=%zz", USER, PASSWORD)));
        scenario("a URL the driver cannot handle", () -> JdbiLockStore.create(source("jdbc:mysqlx://" + USER + ":"
                + PASSWORD + "@localhost:" + PORT + "/" + DB, USER, PASSWORD)));
        scenario("unknown database", () -> JdbiLockStore.create(source(urlWithPassword.replace("/" + DB + "?",
                "/no_such_db?"), null, null)));

        JdbiLockStore store = JdbiLockStore.create(source(urlWithPassword, null, null));
        show(store);
        scenario("missing table", () -> JdbiLockStore.builder(source(urlWithPassword, null, null))
                .tableName("no_such_table").build().read("s"));

        String space = "secrets-" + UUID.randomUUID();
        scenario("lost replies", () -> {
            try (FaultProxy proxy = FaultProxy.start("127.0.0.1", Integer.parseInt(PORT))) {
                JdbiLockStore through = JdbiLockStore.create(source(proxy.jdbcUrl(urlWithPassword
                        + "&socketTimeout=5000"), null, null));
                LockManager locks = manager(through, space, "lost-replies");
                show(locks);
                proxy.arm(FaultProxy.Fault.DROP_REPLY, "UPDATE `");
                Lease lease = locks.acquire(LockRequest.exclusive("app:1").andShared("platform"),
                        Duration.ofSeconds(10));
                show(lease);
                proxy.arm(FaultProxy.Fault.DROP_REQUEST, "UPDATE `");
                lease.close();
                show(locks.snapshot());
                // a grant whose outcome cannot be learned: the caller is told it is unknown
                proxy.arm(FaultProxy.Fault.DROP_REPLY, "UPDATE `");
                proxy.armRepeatedly(FaultProxy.Fault.DROP_REPLY, "SELECT `version`");
                try {
                    locks.tryAcquire(LockRequest.exclusive("app:2"));
                } finally {
                    proxy.disarm();
                }
            }
        });

        scenario("lock timeout", () -> {
            LockManager a = manager(store, space, "holder-a");
            LockManager b = manager(store, space, "holder-b");
            try (Lease held = a.acquire(LockRequest.exclusive("app:3"), Duration.ofSeconds(5))) {
                show(held);
                b.acquire(LockRequest.exclusive("app:3"), Duration.ofMillis(300));
            }
        });

        scenario("socket timeout", () -> {
            String locked = "secrets-locked-" + UUID.randomUUID();
            store.createSpaceIfAbsent(locked, "{\"format\":1,\"holders\":{},\"locks\":{}}");
            DataSource plain = source(urlWithPassword, null, null);
            try (Connection blocker = plain.getConnection()) {
                blocker.setAutoCommit(false);
                try (PreparedStatement ps = blocker.prepareStatement("SELECT version FROM interlock_spaces WHERE id = ?"
                        + " FOR UPDATE")) {
                    ps.setString(1, locked);
                    ps.executeQuery().close();
                }
                JdbiLockStore slow = JdbiLockStore.create(source(urlWithPassword + "&socketTimeout=700", null, null));
                manager(slow, locked, "slow").acquire(LockRequest.exclusive("app:4"), Duration.ofSeconds(2));
            }
        });

        scenario("corrupt document", () -> {
            String corrupt = "secrets-corrupt-" + UUID.randomUUID();
            store.createSpaceIfAbsent(corrupt, "{\"format\":1,\"holders\":{},\"locks\":{}}");
            // a token that is a string (not duplicate keys: MySQL's JSON column would collapse those)
            store.compareAndSet(corrupt, 0, "{\"format\":1,\"holders\":{\"h1\":{\"host\":\"box\",\"pid\":1}},"
                    + "\"locks\":{\"a\":{\"mode\":\"EXCLUSIVE\",\"holders\":[{\"holder\":\"h1\",\"token\":\"1\","
                    + "\"since\":\"2026-01-01T00:00:00Z\"}]}},\"note\":\"" + MARKER + "\"}");
            manager(store, corrupt, "corrupt").tryAcquire(LockRequest.exclusive("app:5"));
        });

        scenario("newer format", () -> {
            String newer = "secrets-newer-" + UUID.randomUUID();
            store.createSpaceIfAbsent(newer, "{\"format\":3,\"note\":\"" + MARKER + "\"}");
            manager(store, newer, "newer").snapshot();
        });

        scenario("reaping a holder whose lease ran out", () -> {
            String reaped = "secrets-reaped-" + UUID.randomUUID();
            Instant past = Instant.now().minusSeconds(3600);
            // a holder on another host, its lease long gone; an unknown field that must be kept, never logged
            store.createSpaceIfAbsent(reaped, "{\"format\":1,\"holders\":{\"gone\":{\"host\":\"elsewhere\",\"pid\":7,"
                    + "\"task\":\"backup-1\",\"leaseUntil\":\"" + past + "\",\"note\":\"" + MARKER + "\"}},"
                    + "\"locks\":{\"app:6\":{\"mode\":\"EXCLUSIVE\",\"holders\":[{\"holder\":\"gone\",\"token\":1,"
                    + "\"since\":\"" + past + "\"}]},\"app:7\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"gone\","
                    + "\"token\":1,\"since\":\"" + past + "\"}]}},\"note\":\"" + MARKER + "\"}");
            Optional<Stored> before = store.read(reaped);
            store.compareAndSet(reaped, before.orElseThrow().version(), before.get().data()); // version 1
            LockManager m = LockManager.builder(store).space(reaped).holder(Holder.currentProcess("reaper"))
                    .lease(Duration.ofSeconds(2)).renewEvery(Duration.ofMillis(200)).build();
            try (Lease lease = m.acquire(LockRequest.exclusive("app:6"), Duration.ofSeconds(5))) {
                show(lease);
                show(m.snapshot());
                Thread.sleep(700); // a few renewals, logged at TRACE or DEBUG if at all
            }
            m.close();
            throw new IllegalStateException("done: reaped and released (an expected end of this scenario)");
        });

        say("FINISHED");
        System.out.flush();
        System.err.flush();
        System.exit(0);
    }

    private static LockManager manager(JdbiLockStore store, String space, String task) {
        return LockManager.builder(store).space(space).holder(Holder.currentProcess(task))
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
    }

    private static DataSource source(String url, String user, String password) {
        MysqlDataSource ds = new MysqlDataSource();
        ds.setURL(url);
        if (user != null) {
            ds.setUser(user);
            ds.setPassword(password);
        }
        return ds;
    }

    private static void scenario(String name, Scenario scenario) {
        say("SCENARIO " + name);
        try {
            scenario.run();
            say("NO-FAILURE " + name);
        } catch (Exception | Error e) {
            say("OUTCOME " + name + " " + e.getClass().getName() + ": " + e.getMessage());
            e.printStackTrace(System.out);
            for (Throwable t = e; t != null; t = t.getCause()) {
                show(t);
            }
        }
    }

    private static void show(Object o) {
        say("TOSTRING " + o);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
