package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No log line, exception message or {@code toString()} holds the database password or a JDBC URL with credentials,
 * and no document is ever logged whole. {@link SecretScenarios} runs failing scenarios in a JVM of its own with every
 * logger at TRACE (slf4j-simple, to stderr), printing every exception with its causes and the {@code toString()} of
 * what it touches; this test captures all of its output and searches it.
 */
class SecretsIT {

    /** Scenario, and the exception it must end with. */
    private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("wrong password", "dev.interlock.LockStoreException");
        EXPECTED.put("wrong password in the URL", "dev.interlock.LockStoreException");
        EXPECTED.put("connection refused", "dev.interlock.LockStoreException");
        EXPECTED.put("malformed URL", "dev.interlock.LockStoreException");
        EXPECTED.put("a URL the driver cannot handle", "dev.interlock.LockStoreException");
        EXPECTED.put("unknown database", "dev.interlock.LockStoreException");
        EXPECTED.put("missing table", "dev.interlock.LockStoreException");
        EXPECTED.put("lost replies", "dev.interlock.LockStoreException");
        EXPECTED.put("lock timeout", "dev.interlock.LockTimeoutException");
        EXPECTED.put("socket timeout", "dev.interlock.LockTimeoutException");
        EXPECTED.put("corrupt document", "dev.interlock.CorruptLockStateException");
        EXPECTED.put("newer format", "dev.interlock.CorruptLockStateException");
        EXPECTED.put("reaping a holder whose lease ran out", "java.lang.IllegalStateException");
    }

    @Test
    void noPasswordUrlWithCredentialsOrWholeDocumentInLogsMessagesOrToString() throws Exception {
        LeastPrivilege lp = LeastPrivilege.get();
        String wrong = "wrong-" + UUID.randomUUID();
        String marker = "DOCUMENT-MARKER-" + UUID.randomUUID();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-cp", System.getProperty("java.class.path"), SecretScenarios.class.getName());
        Map<String, String> env = pb.environment();
        env.put("SECRETS_PORT", String.valueOf(lp.server.port()));
        env.put("SECRETS_DB", lp.database);
        env.put("SECRETS_USER", lp.user);
        env.put("SECRETS_PASSWORD", lp.password);
        env.put("SECRETS_WRONG_PASSWORD", wrong);
        env.put("SECRETS_MARKER", marker);
        Path out = Paths.get("target", "secrets-scenarios.log"); // kept for reading when this test fails
        Files.createDirectories(out.getParent());
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process child = pb.start();
        String text;
        try {
            assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the scenarios did not finish");
            text = Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            child.destroyForcibly();
        }
        assertEquals(0, child.exitValue(), text);
        assertTrue(text.contains("FINISHED"), text);

        // every scenario failed the way it should (so the search below covers real failures)
        for (Map.Entry<String, String> e : EXPECTED.entrySet()) {
            Matcher m = Pattern.compile("^OUTCOME " + Pattern.quote(e.getKey()) + " (\\S+): (.*)$", Pattern.MULTILINE)
                    .matcher(text);
            assertTrue(m.find(), "scenario '" + e.getKey() + "' did not fail:\n" + text);
            assertEquals(e.getValue(), m.group(1), e.getKey() + ": " + m.group(2));
        }
        // and the logs were captured, down to TRACE
        for (String logged : List.of("interlock reaped:", "interlock reconciled:", "outcome unknown",
                "[main] DEBUG", "fault proxy: DROP_REPLY injected")) {
            assertTrue(text.contains(logged), "no '" + logged + "' in the captured output");
        }

        List<String> leaks = new ArrayList<>();
        for (String secret : List.of(lp.password, wrong, lp.server.adminPassword(), marker)) {
            int at = text.indexOf(secret);
            if (at >= 0) {
                leaks.add("'" + secret + "' in: " + line(text, at));
            }
        }
        for (Pattern p : List.of(Pattern.compile("(?i)password=[^\\s&,;)'\"]+"),
                Pattern.compile("jdbc:[a-z]+://[^/\\s@]*:[^/\\s@]*@"))) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                leaks.add(p.pattern() + " in: " + line(text, m.start()));
            }
        }
        assertEquals(List.of(), leaks, "secrets in the output");
        System.out.println("secrets: searched " + text.length() + " characters of output of " + EXPECTED.size()
                + " failing scenarios: no password, URL credentials or document");
    }

    private static String line(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        return text.substring(start, end < 0 ? text.length() : end);
    }
}
