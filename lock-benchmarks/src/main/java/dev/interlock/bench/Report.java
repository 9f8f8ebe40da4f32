package dev.interlock.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.interlock.bench.impl.Impl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Writes {@link Results} as Markdown, JSON and a console table. */
final class Report {

    private Report() {
    }

    // ------------------------------------------------------------------ numbers

    static String value(Measurement m) {
        return value(m.scenario(), m.value());
    }

    static String value(Scenario scenario, double v) {
        if (scenario.higherIsBetter()) {
            return String.format(Locale.ROOT, "%,.0f/s", v);
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f µs", v) : String.format(Locale.ROOT, "%.1f µs", v);
    }

    static String ratio(Optional<Double> r) {
        return r.map(x -> String.format(Locale.ROOT, x >= 10 ? "%.0fx" : "%.2fx", x)).orElse("—");
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    // ------------------------------------------------------------------ table

    /** The results table: one row per scenario (and P5 case), one column per implementation, then the ratios. */
    static List<List<String>> table(Results r) {
        List<Impl> impls = r.impls();
        List<Impl> baselines = impls.stream().filter(i -> i != Impl.INTERLOCK).toList();
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("scenario", "median of"));
        impls.forEach(i -> header.add(i.label()));
        baselines.forEach(b -> header.add("Interlock ÷ " + b.label()));
        rows.add(header);
        for (Measurement key : r.rowKeys().values()) {
            List<String> row = new ArrayList<>();
            row.add(key.row());
            row.add(key.scenario().higherIsBetter() ? key.scenario().unit() : "latency");
            for (Impl impl : impls) {
                row.add(r.find(key.scenario(), key.held(), impl).map(Report::value).orElse("—"));
            }
            for (Impl b : baselines) {
                row.add(ratio(r.ratio(key.scenario(), key.held(), b)));
            }
            rows.add(row);
        }
        return rows;
    }

    /** @return the table as aligned plain text, for the console */
    static String console(Results r) {
        List<List<String>> rows = table(r);
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                String cell = row.get(c);
                sb.append(c < 2 ? pad(cell, width[c]) : padLeft(cell, width[c])).append(c + 1 < cols ? "  " : "");
            }
            sb.append('\n');
        }
        sb.append("(ratios: Interlock's median ÷ the baseline's; latency: lower is better, rates: higher is better)\n\n");
        for (Target.Outcome t : r.targets()) {
            sb.append(String.format(Locale.ROOT, "%-13s %-52s %8s  %s%n", t.status(), t.target().describe(),
                    t.ratio().map(x -> Target.format(x) + "x").orElse("—"), t.target().id()));
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }

    private static void markdownTable(StringBuilder sb, List<List<String>> rows, int leftColumns) {
        for (int i = 0; i < rows.size(); i++) {
            sb.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) {
                sb.append('|');
                for (int c = 0; c < rows.get(0).size(); c++) {
                    sb.append(c < leftColumns ? "---|" : "---:|");
                }
                sb.append('\n');
            }
        }
    }

    // ------------------------------------------------------------------ markdown

    static String markdown(Results r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Interlock benchmarks: ").append(r.name()).append(r.quick() ? " (quick run)" : " (full run)")
                .append("\n\n");
        sb.append("**").append(r.targetsLine()).append("** (the targets in lock-benchmarks/README.md; ratios within this one run)\n\n");
        sb.append("Command: `").append(r.command()).append("`, took ")
                .append(String.format(Locale.ROOT, "%.1f min", r.took().toMillis() / 60000.0)).append(".\n\n");

        sb.append("## Results\n\n");
        markdownTable(sb, table(r), 2);
        sb.append("\nRatios are Interlock's median ÷ the baseline's: for latency (P1, P5) lower is better, for rates "
                + "(P2-P4) higher is better. ");
        sb.append("P1 is the P5 case with 0 other locks held (the same runs).\n\n");
        sb.append("![throughput per scenario and implementation](").append(r.name()).append(".png)\n\n");

        sb.append("## Targets\n\n");
        List<List<String>> targets = new ArrayList<>();
        targets.add(List.of("target", "requirement", "measured", "status"));
        for (Target.Outcome t : r.targets()) {
            targets.add(List.of(t.target().id(), t.target().describe(),
                    t.ratio().map(x -> Target.format(x) + "x").orElse("—"),
                    t.status() == Target.Status.MET ? "met" : t.status() == Target.Status.MISSED ? "**missed**"
                            : "not measured"));
        }
        markdownTable(sb, targets, 4);
        sb.append('\n');
        if (!r.failures().isEmpty()) {
            sb.append("Failures:\n\n");
            r.failures().forEach(f -> sb.append("- ").append(f).append('\n'));
            sb.append('\n');
        }

        if (!r.profiles().isEmpty()) {
            sb.append("## Profiles\n\n");
            sb.append("Where a thread's wall-clock time goes in one operation (acquire + release), from separate, "
                    + "profiled runs (so slower than above). Sampled every millisecond from every benchmark thread, "
                    + "whatever its state, so waits count as much as work; statements counted and timed at the JDBC "
                    + "level (`SqlCounter`); CPU from `/proc`. `server round trip` is the time a thread waits on its "
                    + "socket for the server's answer (server work, queueing for a core on this shared machine, and "
                    + "the commit's fsync).\n\n");
            for (Profile p : r.profiles()) {
                profile(sb, p);
            }
        }

        sb.append("## Machine\n\n");
        r.machine().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\n## How it was measured\n\n");
        r.method().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\nImplementations:\n\n");
        for (Impl impl : r.impls()) {
            sb.append("- ").append(impl.label()).append(": ").append(impl.description()).append('\n');
        }
        if (!r.measurements().isEmpty()) {
            sb.append("\nEvery value: \n\n");
            List<List<String>> all = new ArrayList<>();
            all.add(List.of("scenario", "implementation", "median", "p90", "over", "iterations / windows", "note"));
            for (Measurement m : r.measurements()) {
                all.add(List.of(m.row(), m.impl().label(), value(m),
                        Double.isNaN(m.p90()) ? "" : value(m.scenario(), m.p90()),
                        m.samples() + (m.runs().isEmpty() ? " samples" : " runs"),
                        m.runs().stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).reduce((a, b) -> a + ", " + b)
                                .orElse(""),
                        m.note()));
            }
            markdownTable(sb, all, 7);
        }
        return sb.toString();
    }

    private static void profile(StringBuilder sb, Profile p) {
        sb.append("### ").append(p.name()).append("\n\n");
        if (!p.why().isEmpty()) {
            sb.append("For: ").append(String.join(", ", p.why())).append(".\n\n");
        }
        sb.append(String.format(Locale.ROOT, "Profiled run: %s; %d thread(s); a thread's wall time per operation %s µs.",
                value(p.scenario(), p.score()), p.threads(), num(p.wallUsPerOp(), 0)));
        double client = p.metric("cpu:client us/op");
        double server = p.metric("cpu:server us/op");
        double busy = p.metric("cpu:machine busy");
        double alloc = p.metric("gc.alloc.rate.norm");
        if (!Double.isNaN(client)) {
            sb.append(" CPU per operation: client JVM ").append(num(client, 0)).append(" µs");
            if (!Double.isNaN(server)) {
                sb.append(", database server ").append(num(server, 0)).append(" µs");
            }
        }
        if (!Double.isNaN(busy)) {
            sb.append(Double.isNaN(client) ? " Machine busy " : "; machine busy ").append(num(busy, 0))
                    .append("% of its cores");
        }
        if (!Double.isNaN(alloc)) {
            sb.append("; allocated ").append(num(alloc / 1024, 1)).append(" KiB per operation");
        }
        double doc = p.metric("doc:bytes");
        if (!Double.isNaN(doc)) {
            sb.append("; the space's document is ").append(doc >= 10240 ? num(doc / 1024, 1) + " KiB" : num(doc, 0) + " bytes");
        }
        sb.append(".\n\n");
        double floorMine = p.metric("floor:space-row us");
        double floorRow = p.metric("floor:row-per-lock us");
        if (!Double.isNaN(floorMine) && !Double.isNaN(floorRow) && floorRow > 0) {
            sb.append(String.format(Locale.ROOT, "Statement floor (the statements alone, no lock code, each on a pooled"
                    + " connection; medians, measured right after P1): Interlock's two compare-and-set UPDATEs of"
                    + " the space row, with the documents it writes, %s µs; row-per-lock's INSERT IGNORE and DELETE"
                    + " %s µs. Ratio **%sx**: the P1 ratio that would be left if the lock code cost nothing.%n%n",
                    num(floorMine, 0), num(floorRow, 0), Target.format(floorMine / floorRow)));
        }
        Map<String, double[]> statements = p.statements();
        double[] updates = statements.get("update");
        if (p.scenario() == Scenario.P3 && updates != null && updates[0] > updates[2]) {
            double applied = updates[0] - updates[2]; // per pair
            sb.append(String.format(Locale.ROOT, "The space row took %s writes a second that changed it, each carrying"
                    + " %s lock changes (a pair is 2); %s of every %s UPDATEs lost their compare-and-set.%n%n",
                    num(p.score() * applied, 0), num(2 / applied, 2), num(updates[2], 2), num(updates[0], 2)));
        }
        if (!statements.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("JDBC", "per operation", "of which changed no row", "µs per operation (wall, inside the call)"));
            statements.forEach((kind, v) -> rows.add(List.of(kind, num(v[0], 2), v[2] > 0 ? num(v[2], 2) : "",
                    num(v[1], 0))));
            markdownTable(sb, rows, 1);
            sb.append('\n');
        }
        Map<String, Double> groups = p.groups();
        if (!groups.isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("where the time goes", "share", "µs per operation"));
            groups.forEach((g, share) -> rows.add(List.of(g, num(share, 1) + "%", num(share / 100 * p.wallUsPerOp(), 0))));
            markdownTable(sb, rows, 1);
            sb.append('\n');
        }
        if (!p.detail().isBlank()) {
            sb.append("<details><summary>categories and their commonest stacks (innermost frame first)</summary>\n\n```\n")
                    .append(p.detail().strip()).append("\n```\n</details>\n\n");
        }
    }

    // ------------------------------------------------------------------ json

    static Map<String, Object> jsonTree(Results r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", r.name());
        root.put("mode", r.quick() ? "quick" : "full");
        root.put("startedAt", r.startedAt().toString());
        root.put("tookSeconds", r.took().toSeconds());
        root.put("command", r.command());
        root.put("targetsMet", r.targetsMet());
        root.put("targetsTotal", r.targets().size());
        root.put("machine", r.machine());
        root.put("method", r.method());
        List<Map<String, Object>> impls = new ArrayList<>();
        for (Impl impl : r.impls()) {
            impls.add(Map.of("id", impl.id(), "label", impl.label(), "description", impl.description()));
        }
        root.put("implementations", impls);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Measurement m : r.measurements()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scenario", m.scenario().name());
            e.put("held", m.held());
            e.put("impl", m.impl().id());
            e.put("median", m.value());
            e.put("unit", m.scenario().higherIsBetter() ? m.scenario().unit() : "us");
            if (!Double.isNaN(m.p90())) {
                e.put("p90", m.p90());
            }
            e.put("samples", m.samples());
            e.put("runs", m.runs());
            if (!m.note().isEmpty()) {
                e.put("note", m.note());
            }
            if (m.impl() == Impl.INTERLOCK) {
                Map<String, Double> ratios = new LinkedHashMap<>();
                for (Impl b : r.impls()) {
                    if (b != Impl.INTERLOCK) {
                        r.ratio(m.scenario(), m.held(), b).ifPresent(x -> ratios.put(b.id(), x));
                    }
                }
                e.put("ratios", ratios);
            }
            results.add(e);
        }
        root.put("results", results);
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Target.Outcome t : r.targets()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", t.target().id());
            e.put("requirement", t.target().describe());
            e.put("limit", t.target().limit());
            e.put("atMost", t.target().atMost());
            e.put("ratio", t.ratio().orElse(null));
            e.put("status", t.status().name().toLowerCase(Locale.ROOT));
            targets.add(e);
        }
        root.put("targets", targets);
        List<Map<String, Object>> profiles = new ArrayList<>();
        for (Profile p : r.profiles()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scenario", p.scenario().name());
            e.put("held", p.held());
            e.put("impl", p.impl().id());
            e.put("threads", p.threads());
            e.put("score", p.score());
            e.put("wallUsPerOp", p.wallUsPerOp());
            e.put("for", p.why());
            e.put("groups", p.groups());
            e.put("metrics", p.metrics());
            e.put("detail", p.detail());
            profiles.add(e);
        }
        root.put("profiles", profiles);
        root.put("failures", r.failures());
        return root;
    }

    static void write(Results r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(r.name() + ".md"), markdown(r));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(r.name() + ".json").toFile(), jsonTree(r));
        ResultChart.write(r, dir.resolve(r.name() + ".png"));
    }
}
