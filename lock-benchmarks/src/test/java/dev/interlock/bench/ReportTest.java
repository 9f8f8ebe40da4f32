package dev.interlock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.bench.impl.Impl;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    static Results sample() {
        List<Measurement> ms = new ArrayList<>();
        double[] p1 = {500, 150, 450, 950, 850};
        double[] p2 = {3000, 27000, 7000, 3300, 940};
        for (Impl impl : Impl.values()) {
            ms.add(new Measurement(Scenario.P1, 0, impl, p1[impl.ordinal()], p1[impl.ordinal()] * 1.3, List.of(), 1234, ""));
            ms.add(new Measurement(Scenario.P5, 0, impl, p1[impl.ordinal()], Double.NaN, List.of(), 1234, ""));
            ms.add(new Measurement(Scenario.P5, 1000, impl, p1[impl.ordinal()] * 2, Double.NaN, List.of(), 99, ""));
            ms.add(new Measurement(Scenario.P2, 0, impl, p2[impl.ordinal()], Double.NaN,
                    List.of(p2[impl.ordinal()], p2[impl.ordinal()] + 1, p2[impl.ordinal()] - 1), 3, ""));
        }
        Profile profile = new Profile(Scenario.P2, 0, Impl.INTERLOCK, 8, 3000, 2666, Map.of(
                "wall:UPDATE · server round trip", 40.0, "wall:queue: manager write lock (LockEngine.submit)", 55.0,
                "wall:engine: LockEngine.combine", 5.0, "sql:UPDATE/op", 2.0, "sql:UPDATE us/op", 700.0,
                "cpu:client us/op", 300.0), "55.0%  queue ...", List.of("P2-row-per-lock (missed, 0.43x)"));
        List<Target.Outcome> targets = Target.checkAll(ms);
        return new Results("2026-11-27-quick", Instant.parse("2026-11-27T10:00:00Z"), true, Duration.ofSeconds(200),
                "java -cp lock-benchmarks/target/benchmarks.jar dev.interlock.bench.Compare --quick",
                Map.of("summary", "2 cores", "cores", "2"), Map.of("mode", "quick"), ms, List.of("P3 ShedLock: boom"),
                targets, List.of(profile));
    }

    @Test
    void markdownHasTheTableRatiosTargetsAndProfiles() {
        Results r = sample();
        String md = Report.markdown(r);
        assertTrue(md.contains("**" + r.targetsLine() + "**"), md);
        assertTrue(md.contains("| P2 | pairs/s | 3,000/s | 27,000/s | 7,000/s | 3,300/s | 940/s | 0.11x | 0.43x | 0.91x | 3.19x |"), md);
        assertTrue(md.contains("| P1 | latency | 500 µs | 150 µs | 450 µs | 950 µs | 850 µs |"), md);
        assertTrue(md.contains("| P5 (1,000 held) |"), md);
        assertTrue(md.contains("| P2-row-per-lock | P2 pairs/s >= 1x row-per-lock's | 0.43x | **missed** |"), md);
        assertTrue(md.contains("### P2 Interlock"), md);
        assertTrue(md.contains("| queue: waiting for the manager's write lock | 55.0% | 1,466 |"), md);
        assertTrue(md.contains("P3 ShedLock: boom"), md);
        assertTrue(md.contains("![throughput per scenario and implementation](2026-11-27-quick.png)"), md);
    }

    @Test
    void theP1ProfileShowsTheStatementFloorAndTheP3ProfileTheRowsWrites() {
        Results base = sample();
        Profile p1 = new Profile(Scenario.P5, 0, Impl.INTERLOCK, 1, 440, 470, Map.of(
                "floor:space-row us", 385.0, "floor:row-per-lock us", 350.0), "", List.of());
        // 800 pairs/s; 2.5 UPDATEs a pair of which 1.0 changed nothing: 1.5 applied a pair, 1,200 a second
        Profile p3 = new Profile(Scenario.P3, 0, Impl.INTERLOCK, 8, 800, 10_000, Map.of(
                "sql:UPDATE/op", 2.5, "sql:UPDATE us/op", 3000.0, "sql:UPDATE no-row/op", 1.0), "", List.of());
        Results r = new Results(base.name(), base.startedAt(), base.quick(), base.took(), base.command(),
                base.machine(), base.method(), base.measurements(), base.failures(), base.targets(), List.of(p1, p3));
        String md = Report.markdown(r);
        assertTrue(md.contains("the documents it writes, 385 µs; row-per-lock's INSERT IGNORE and DELETE 350 µs. Ratio"
                + " **1.1x**"), md);
        assertTrue(md.contains("The space row took 1,200 writes a second that changed it, each carrying 1.33 lock"
                + " changes (a pair is 2); 1.00 of every 2.50 UPDATEs lost their compare-and-set."), md);
        assertFalse(Report.markdown(base).contains("Statement floor"), "no floor paragraph without the figures");
    }

    @Test
    void consoleEndsWithTheTargetsAndCountsThem() {
        Results r = sample();
        // P1: 500/950 = 0.53 met, 500/450 = 1.11 missed; P2: 0.43 missed, 0.91 missed; P5: 2x met; P3, P4 not run
        assertEquals("targets met: 2 of 7", r.targetsLine());
        String text = Report.console(r);
        assertTrue(text.contains("MISSED        P2 pairs/s >= 1x row-per-lock's"), text);
        assertTrue(text.contains("NOT_MEASURED  P3 pairs/s >= 1x ShedLock's"), text);
    }

    @Test
    void writesJsonMarkdownAndAReadableChart(@TempDir Path dir) throws Exception {
        Results r = sample();
        Report.write(r, dir);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("2026-11-27-quick.json").toFile());
        assertEquals(2, json.get("targetsMet").asInt());
        assertEquals(7, json.get("targetsTotal").asInt());
        JsonNode first = json.get("results").get(0);
        assertEquals("P1", first.get("scenario").asText());
        assertEquals("interlock", first.get("impl").asText());
        assertEquals(500 / 950.0, first.get("ratios").get("shedlock").asDouble(), 1e-9);
        assertEquals("missed", json.get("targets").get(2).get("status").asText());
        assertTrue(Files.readString(dir.resolve("2026-11-27-quick.md")).startsWith("# Interlock benchmarks"));
        BufferedImage png = ImageIO.read(dir.resolve("2026-11-27-quick.png").toFile());
        assertEquals(1800, png.getWidth());
        assertEquals(1050, png.getHeight());
    }
}
