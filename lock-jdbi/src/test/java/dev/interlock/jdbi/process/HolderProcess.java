package dev.interlock.jdbi.process;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A process that takes one lease and holds it, driven by its parent through stdin and stdout; the parent
 * kills, stops and resumes it to test crash reaping with real processes.
 *
 * <p>Arguments: {@code space task locks [--lease-ms N --renew-ms N] [--elsewhere]}, where locks reads like
 * {@code app:1=EXCLUSIVE,platform=SHARED} and {@code --elsewhere} records a host name and boot id of another
 * machine, so that other processes here cannot judge it by its pid. It prints:
 * <ul>
 *   <li>{@code HELD token=T pid=P} once the lease is granted;</li>
 *   <li>{@code LOST token=T} when it learns its grants were removed, then closes the lease and prints
 *       {@code CLOSED held=false} and exits 0.</li>
 * </ul>
 * On stdin, {@code release} closes the lease, prints {@code RELEASED} and exits 0; {@code exit N} halts at once
 * with status N, releasing nothing (a crash as far as the locks can tell).
 */
public final class HolderProcess {

    private HolderProcess() {
    }

    /**
     * @param args see the class description
     * @throws Exception if the process cannot take its lease
     */
    public static void main(String[] args) throws Exception {
        String space = args[0];
        String task = args[1];
        TreeMap<String, LockMode> wanted = new TreeMap<>();
        for (String part : args[2].split(",")) {
            String[] kv = part.split("=");
            wanted.put(kv[0], LockMode.valueOf(kv[1]));
        }
        Duration lease = null;
        Duration renew = null;
        boolean elsewhere = false;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--lease-ms" -> lease = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--renew-ms" -> renew = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--elsewhere" -> elsewhere = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Holder me = Holder.currentProcess(task);
        if (elsewhere) {
            String other = UUID.randomUUID().toString().substring(0, 8);
            me = new Holder("elsewhere-" + other, "boot-" + other, null, me.pid(), me.startTicks(), me.startedAt(),
                    task, null);
        }
        Lease[] held = new Lease[1];
        LockManager.Builder builder = LockManager.builder(TestDatabase.get().store()).space(space).holder(me)
                .listener(new LockListener() {
                    @Override
                    public void leaseLost(Lease lost, String reason) {
                        say("LOST token=" + lost.token() + " reason=" + reason);
                        lost.close();
                        say("CLOSED held=" + lost.isHeld());
                        System.exit(0);
                    }
                });
        if (lease != null) {
            builder.lease(lease);
        }
        if (renew != null) {
            builder.renewEvery(renew);
        }
        LockManager locks = builder.build();
        held[0] = locks.acquire(new LockRequest(wanted), Duration.ofSeconds(60));
        say("HELD token=" + held[0].token() + " pid=" + ProcessHandle.current().pid());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("release")) {
                held[0].close();
                say("RELEASED");
                System.exit(0);
            } else if (line.startsWith("exit ")) {
                Runtime.getRuntime().halt(Integer.parseInt(line.substring(5).trim()));
            }
        }
        Thread.sleep(Long.MAX_VALUE); // stdin closed: keep holding until killed
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
