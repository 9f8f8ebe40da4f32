package dev.interlock.jdbi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on the loopback interface that forwards to a database server and, when armed, breaks one
 * connection at a chosen statement: the next client packet containing a marker (e.g. {@code "UPDATE `"}) has
 * either its request or the server's reply to it swallowed, and the connection is then closed. That is how a
 * reply gets lost in real life (a network cut, a proxy or failover dropping the connection), and the client
 * cannot tell the two cases apart.
 *
 * <p>Only works on connections without TLS (the marker must be readable): use {@code sslMode=DISABLED}, as
 * {@link #jdbcUrl(String)} does. Plain sockets and two threads per connection; loopback only.
 * Thread-safe; close it when done.
 */
public final class FaultProxy implements AutoCloseable {

    /** What to swallow when the marker is seen. */
    public enum Fault {
        /** The request never reaches the server: the statement is not executed. */
        DROP_REQUEST,
        /** The request reaches the server and is executed; its reply is swallowed. */
        DROP_REPLY
    }

    private record Arm(Fault fault, byte[] marker, boolean repeat) {
    }

    /** Random faults: each matching packet triggers one with this probability. */
    private record Chaos(byte[] marker, double probability, SplittableRandom random) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    /** Faults in the order they are to trigger; only the head is matched. */
    private final ConcurrentLinkedQueue<Arm> armed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger droppedRequests = new AtomicInteger();
    private final AtomicInteger droppedReplies = new AtomicInteger();
    /** Markers whose client packets are counted (see {@link #countPackets}), with their counts. */
    private final ConcurrentHashMap<String, AtomicInteger> counted = new ConcurrentHashMap<>();
    private volatile Chaos chaos;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object faultSignal = new Object();
    private volatile boolean closed;

    private FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        this.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy to a server.
     *
     * @param targetHost the server's host
     * @param targetPort the server's port
     * @return the running proxy, listening on a free loopback port
     */
    public static FaultProxy start(String targetHost, int targetPort) {
        try {
            return new FaultProxy(Objects.requireNonNull(targetHost, "targetHost"), targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the fault proxy: " + e.getMessage(), e);
        }
    }

    /** @return the loopback port the proxy listens on */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * @param jdbcUrl a single-host {@code jdbc:mysql://host:port/db?...} URL of the target server
     * @return the same URL through this proxy, with TLS off (the proxy must read the statements)
     */
    public String jdbcUrl(String jdbcUrl) {
        int hosts = jdbcUrl.indexOf("//");
        int end = hosts + 2;
        while (end < jdbcUrl.length() && "/?".indexOf(jdbcUrl.charAt(end)) < 0) {
            end++;
        }
        String through = jdbcUrl.substring(0, hosts + 2) + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                + port() + jdbcUrl.substring(end);
        return TestDatabase.withParameters(through, java.util.Map.of("sslMode", "DISABLED"));
    }

    /**
     * Arms the proxy: the next client packet, on any connection, containing {@code marker} triggers the fault,
     * once. Faults armed one after another trigger in that order: a fault is only looked for once the ones
     * armed before it have triggered.
     *
     * @param fault  what to swallow
     * @param marker the text to look for in what the client sends, e.g. {@code "UPDATE `interlock_spaces`"}
     */
    public void arm(Fault fault, String marker) {
        armed.add(new Arm(Objects.requireNonNull(fault, "fault"), marker.getBytes(StandardCharsets.UTF_8), false));
    }

    /**
     * Like {@link #arm}, but the fault stays armed and triggers on every matching packet until {@link #disarm()}
     * (an outage of that statement).
     *
     * @param fault  what to swallow
     * @param marker the text to look for
     */
    public void armRepeatedly(Fault fault, String marker) {
        armed.add(new Arm(Objects.requireNonNull(fault, "fault"), marker.getBytes(StandardCharsets.UTF_8), true));
    }

    /**
     * Injects faults at random: each client packet containing {@code marker} has, with {@code probability}, its
     * request or (as often) its reply swallowed, until {@link #disarm()}. Faults armed with {@link #arm} take
     * precedence.
     *
     * @param marker      the text to look for
     * @param probability between 0 and 1
     * @param seed        the random seed (log it to replay a run)
     */
    public void armRandomly(String marker, double probability, long seed) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("probability must be between 0 and 1, was " + probability);
        }
        chaos = new Chaos(marker.getBytes(StandardCharsets.UTF_8), probability, new SplittableRandom(seed));
    }

    /** Disarms every fault not yet triggered, repeated ones and random ones. */
    public void disarm() {
        chaos = null;
        armed.clear();
    }

    /** @return whether a fault is armed */
    public boolean isArmed() {
        return !armed.isEmpty() || chaos != null;
    }

    /** @return how many faults were triggered so far */
    public int faultsInjected() {
        return injected.get();
    }

    /**
     * @param fault a kind of fault
     * @return how many faults of that kind were triggered so far
     */
    public int faultsInjected(Fault fault) {
        return (Objects.requireNonNull(fault, "fault") == Fault.DROP_REQUEST ? droppedRequests : droppedReplies).get();
    }

    /**
     * Starts counting the client packets, on every connection, that contain {@code marker} (e.g.
     * {@code "UPDATE `"}): proof at the wire of which statements were sent. Counting again from zero if it was
     * already counted.
     *
     * @param marker the text to look for
     */
    public void countPackets(String marker) {
        counted.put(Objects.requireNonNull(marker, "marker"), new AtomicInteger());
    }

    /**
     * @param marker a text passed to {@link #countPackets}
     * @return how many client packets containing it went through since
     * @throws IllegalStateException if the marker is not being counted
     */
    public int packetsCounted(String marker) {
        AtomicInteger count = counted.get(marker);
        if (count == null) {
            throw new IllegalStateException("packets containing '" + marker + "' are not being counted; call"
                    + " countPackets first");
        }
        return count.get();
    }

    /**
     * Waits until at least {@code count} faults were triggered.
     *
     * @param count   how many
     * @param timeout how long at most
     * @return whether they were
     * @throws InterruptedException if interrupted
     */
    public boolean awaitFaults(int count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (faultSignal) {
            while (injected.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(faultSignal, left);
            }
            return true;
        }
    }

    /** Breaks every open connection at once (without swallowing anything in particular). */
    public void dropAllConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        dropAllConnections();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("fault proxy stopped accepting: {}", e.toString());
                }
                return;
            }
            Socket server = new Socket();
            try {
                server.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                LOG.warn("fault proxy cannot reach {}:{}: {}", targetHost, targetPort, e.toString());
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            new Link(client, server).start();
        }
    }

    /** @return a fault drawn by the random mode for this packet, or null */
    private Arm randomFault(byte[] tail, byte[] buffer, int n) {
        Chaos c = chaos;
        if (c == null || !contains(tail, buffer, n, c.marker)) {
            return null;
        }
        synchronized (c) {
            if (c.random.nextDouble() >= c.probability) {
                return null;
            }
            return new Arm(c.random.nextBoolean() ? Fault.DROP_REQUEST : Fault.DROP_REPLY, c.marker, false);
        }
    }

    private void triggered(Fault fault) {
        (fault == Fault.DROP_REQUEST ? droppedRequests : droppedReplies).incrementAndGet();
        injected.incrementAndGet();
        synchronized (faultSignal) {
            faultSignal.notifyAll();
        }
        LOG.info("fault proxy: {} injected", fault);
    }

    /** One proxied connection: a pump each way. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        /** Set (before the request is forwarded) when the server's next reply must be swallowed. */
        private volatile boolean swallowNextReply;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
            sockets.add(client);
            sockets.add(server);
        }

        void start() {
            Thread up = new Thread(this::clientToServer, "fault-proxy-up-" + client.getPort());
            Thread down = new Thread(this::serverToClient, "fault-proxy-down-" + client.getPort());
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void clientToServer() {
            byte[] buffer = new byte[64 * 1024];
            byte[] tail = new byte[0]; // the end of the previous read, so a marker split across reads is found
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    for (var count : counted.entrySet()) {
                        if (contains(tail, buffer, n, count.getKey().getBytes(StandardCharsets.UTF_8))) {
                            count.getValue().incrementAndGet();
                        }
                    }
                    Arm arm = armed.peek();
                    if (arm == null || !contains(tail, buffer, n, arm.marker) || !(arm.repeat || armed.remove(arm))) {
                        arm = randomFault(tail, buffer, n);
                    }
                    if (arm != null) {
                        if (arm.fault == Fault.DROP_REQUEST) {
                            triggered(arm.fault);
                            shutdown();
                            return;
                        }
                        swallowNextReply = true; // before forwarding: the reply cannot overtake it
                        triggered(arm.fault);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    tail = Arrays.copyOfRange(buffer, Math.max(0, n - 256), n);
                }
            } catch (IOException e) {
                // the other side closed, or we did
            } finally {
                shutdown();
            }
        }

        private void serverToClient() {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (swallowNextReply) {
                        shutdown(); // the reply is read and dropped; the client sees the connection die
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed, or we did
            } finally {
                shutdown();
            }
        }

        private void shutdown() {
            closeQuietly(client);
            closeQuietly(server);
            sockets.remove(client);
            sockets.remove(server);
        }
    }

    /** Whether {@code marker} occurs in {@code tail} followed by the first {@code n} bytes of {@code buffer}. */
    static boolean contains(byte[] tail, byte[] buffer, int n, byte[] marker) {
        byte[] joined = new byte[tail.length + n];
        System.arraycopy(tail, 0, joined, 0, tail.length);
        System.arraycopy(buffer, 0, joined, tail.length, n);
        outer:
        for (int i = 0; i + marker.length <= joined.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (joined[i + j] != marker[j]) {
                    continue outer;
                }
            }
            // A marker wholly inside the tail was already seen (and did not trigger) in the previous read.
            if (i + marker.length > tail.length) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[127.0.0.1:" + (closed ? "closed" : port()) + " -> " + targetHost + ":" + targetPort + "]";
    }
}
