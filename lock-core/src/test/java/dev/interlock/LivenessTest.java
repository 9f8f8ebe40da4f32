package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.ProcessProbe.ProcessStatus;
import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The liveness rules, one holder at a time: a holder recorded by some process holds lock {@code x}; a manager
 * on host {@code box-1} (boot id {@code boot-A}, pid namespace {@code ns-1}) asks for {@code x}. It is granted
 * exactly when the holder is provably dead, and then the holder's grants go in the same write.
 */
class LivenessTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // case                              | host      | boot   | ns   | pid | ticks | probe sees      | lease                | reaped? | why
        "pid gone                            | box-1     | boot-A | ns-1 | 100 | 5000  | GONE            | -                    | true    | pid 100 is gone",
        "zombie                              | box-1     | boot-A | ns-1 | 100 | 5000  | ZOMBIE          | -                    | true    | pid 100 has exited (zombie)",
        "pid reused                          | box-1     | boot-A | ns-1 | 100 | 5000  | RUNNING:7000    | -                    | true    | pid 100 now belongs to another process",
        "same process alive                  | box-1     | boot-A | ns-1 | 100 | 5000  | RUNNING:5000    | -                    | false   | -",
        "alive, start unreadable             | box-1     | boot-A | ns-1 | 100 | 5000  | RUNNING         | -                    | false   | -",
        "holder start unknown                | box-1     | boot-A | ns-1 | 100 | -     | RUNNING:7000    | -                    | false   | -",
        "hidden or unreadable /proc          | box-1     | boot-A | ns-1 | 100 | 5000  | UNKNOWN         | -                    | false   | -",
        "another pid namespace               | box-1     | boot-A | ns-2 | 100 | 5000  | GONE            | -                    | false   | -",
        "host rebooted                       | box-1     | boot-0 | ns-1 | 100 | 5000  | RUNNING:5000    | -                    | true    | host box-1 rebooted",
        "another host                        | box-2     | boot-B | ns-1 | 100 | 5000  | GONE            | -                    | false   | -",
        "another host, no boot id            | box-2     | -      | -    | 100 | -     | GONE            | -                    | false   | -",
        "generic host name                   | localhost | boot-0 | ns-1 | 100 | 5000  | GONE            | -                    | false   | -",
        "another host, lease running         | box-2     | boot-B | ns-1 | 100 | 5000  | GONE            | 2026-01-01T00:00:30Z | false   | -",
        "another host, lease ran out         | box-2     | boot-B | ns-1 | 100 | 5000  | GONE            | 2026-01-01T00:00:00Z | true    | its lease ran out at 2026-01-01T00:00:00Z",
        "alive locally but lease ran out     | box-1     | boot-A | ns-1 | 100 | 5000  | RUNNING:5000    | 2025-12-31T23:59:00Z | true    | its lease ran out",
        // a running lease protects its holder from every host rule: another machine may share the name or boot id
        "host name reused elsewhere, leased  | box-1     | boot-0 | ns-1 | 100 | 5000  | RUNNING:5000    | 2026-01-01T00:00:30Z | false   | -",
        "boot id shared (clone), leased      | box-1     | boot-A | ns-1 | 100 | 5000  | GONE            | 2026-01-01T00:00:30Z | false   | -",
        "pid gone, lease ran out             | box-1     | boot-A | ns-1 | 100 | 5000  | GONE            | 2026-01-01T00:00:00Z | true    | its lease ran out",
        // the pid rule needs this host's name too: a boot id alone may be shared by clones of one machine
        "same boot id, another host name     | box-9     | boot-A | ns-1 | 100 | 5000  | GONE            | -                    | false   | -",
    })
    void holderIsReapedOnlyWhenProvablyDead(String what, String host, String boot, String ns, long pid, Long ticks,
                                            String sees, String leaseUntil, boolean reaped, String why) {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:10Z"));
        InMemoryLockStore store = new InMemoryLockStore(clock);
        store.createSpaceIfAbsent("s", "{}");
        String holder = "{\"host\":\"" + host + "\",\"pid\":" + pid
                + (boot == null ? "" : ",\"bootId\":\"" + boot + "\"") + (ns == null ? "" : ",\"pidNs\":\"" + ns + "\"")
                + (ticks == null ? "" : ",\"startTicks\":" + ticks)
                + (leaseUntil == null ? "" : ",\"leaseUntil\":\"" + leaseUntil + "\"") + "}";
        String grant = "{\"holder\":\"h\",\"token\":1,\"since\":\"2026-01-01T00:00:00Z\"}";
        assertEquals(CasResult.APPLIED, store.compareAndSet("s", 0, "{\"format\":1,\"holders\":{\"h\":" + holder
                + "},\"locks\":{\"x\":{\"mode\":\"EXCLUSIVE\",\"holders\":[" + grant + "]},"
                + "\"y\":{\"mode\":\"SHARED\",\"holders\":[" + grant + "]}}}"));

        String[] parts = sees.split(":");
        ProcessStatus status = switch (parts[0]) {
            case "RUNNING" -> ProcessStatus.running(parts.length > 1 ? Long.parseLong(parts[1]) : null);
            case "ZOMBIE" -> ProcessStatus.zombie();
            case "GONE" -> ProcessStatus.gone();
            default -> ProcessStatus.unknown();
        };
        FakeProcessProbe probe = new FakeProcessProbe("box-1", "boot-A", "ns-1").set(pid, status);
        List<String> events = new ArrayList<>();
        LockManager m = LockManager.builder(store).space("s").probe(probe)
                .holder(new Holder("box-1", "boot-A", "ns-1", 200, 1L, null, "acquirer", null))
                .listenerExecutor(Runnable::run).listener(new LockListener() {
                    @Override
                    public void holderReaped(String holderId, Holder h, java.util.Collection<String> locks, String reason) {
                        events.add(holderId + " " + locks + ": " + reason);
                    }
                }).build();

        Optional<Lease> lease = m.tryAcquire(LockRequest.exclusive("x"));
        assertEquals(reaped, lease.isPresent(), what);
        if (reaped) {
            assertEquals(List.of("x"), List.copyOf(m.snapshot().lockNames()), "the dead holder's y went too");
            assertEquals(1, events.size());
            assertTrue(events.get(0).startsWith("h [x, y]: " + why), events.get(0));
        } else {
            assertEquals(List.of("x", "y"), List.copyOf(m.snapshot().lockNames()));
            assertEquals(0, m.reap(), "a sweep must not reap it either");
            assertEquals(List.of(), events);
        }
    }
}
