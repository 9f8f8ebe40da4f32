package dev.interlock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the results record about the machine, the JDK, the database and the code measured. */
final class Machine {

    private Machine() {
    }

    static Map<String, String> describe(BenchDatabase db, Map<String, String> server) {
        Map<String, String> m = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        String memory = memory();
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String dbVersion = server.getOrDefault("version", "?");
        m.put("summary", cores + " cores, " + memory + " memory, " + jdk + ", database " + dbVersion + " (" + db.backend()
                + ") on the same machine");
        m.put("cores", cores + " (" + cpuModel() + ")");
        m.put("memory", memory);
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("jdk", jdk + " (" + System.getProperty("java.vendor") + ")");
        m.put("database", dbVersion + ", " + db.backend() + ", " + db.url().replaceAll("//[^@/]*@", "//"));
        server.forEach((k, v) -> {
            if (!k.equals("version")) {
                m.put("database " + k, v);
            }
        });
        m.put("JMH", org.openjdk.jmh.util.Version.getPlainVersion());
        m.put("code measured", code());
        return m;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D+", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return String.format(Locale.ROOT, "%.1f GiB JVM max", Runtime.getRuntime().maxMemory() / 1024.0 / 1024 / 1024);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown model";
    }

    /** The jar's build time and, when run from a git work tree, its commit and whether the core had local changes. */
    private static String code() {
        StringBuilder sb = new StringBuilder();
        String jar = System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0];
        try {
            Instant built = Files.getLastModifiedTime(Path.of(jar)).toInstant();
            sb.append(Path.of(jar).getFileName()).append(" built ")
                    .append(built.atOffset(ZoneOffset.UTC).withNano(0));
        } catch (IOException | RuntimeException e) {
            sb.append(jar);
        }
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar)) {
            var engine = j.getJarEntry("dev/interlock/internal/LockEngine.class");
            var store = j.getJarEntry("dev/interlock/jdbi/JdbiLockStore.class");
            if (engine != null && store != null) {
                sb.append(", lock-core compiled ").append(engine.getLastModifiedTime().toInstant().atOffset(ZoneOffset.UTC)
                        .withNano(0)).append(", lock-jdbi compiled ").append(store.getLastModifiedTime().toInstant()
                        .atOffset(ZoneOffset.UTC).withNano(0));
            }
        } catch (IOException | RuntimeException e) {
            // not a jar (run from classes)
        }
        String commit = git("rev-parse", "--short", "HEAD");
        if (commit != null) {
            sb.append(", work tree at commit ").append(commit);
            String dirty = git("status", "--porcelain", "--", "lock-core", "lock-jdbi");
            if (dirty != null && !dirty.isBlank()) {
                sb.append(" with uncommitted changes in lock-core/lock-jdbi (").append(dirty.lines().count())
                        .append(" files)");
            }
        }
        return sb.toString();
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }
}
