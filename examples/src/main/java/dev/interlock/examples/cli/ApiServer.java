package dev.interlock.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.interlock.LockManager;
import dev.interlock.LockSnapshot;
import dev.interlock.examples.domain.AppConfig;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.BackupIds;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP API over the platform (the JDK's {@link HttpServer}, JSON by Jackson):
 * <ul>
 *   <li>{@code GET /api/v1/backups}: {@code {"backups": [...]}}, newest first</li>
 *   <li>{@code GET /api/v1/backups/{id}}: one backup; backup ids are URL-safe, so they stand in the path as they are</li>
 *   <li>{@code GET /api/v1/archives}: {@code {"archives": [...]}} with icon sizes</li>
 *   <li>{@code GET /api/v1/archives/{id}/icon}: the archived icon, {@code image/png}</li>
 *   <li>{@code GET /api/v1/locks}: the lock space: every grant with holder, host, pid, task, age and token</li>
 * </ul>
 * Errors are JSON too: {@code {"error": "..."}} with 400, 404, 405 or 500.
 */
final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String PREFIX = "/api/v1";

    private final Platform platform;
    private final LockManager locks;
    private final HttpServer server;
    private final ExecutorService executor;

    private ApiServer(Platform platform, HttpServer server) {
        this.platform = platform;
        this.server = server;
        this.locks = platform.lockManager("api-server", new dev.interlock.LockListener() { });
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "api-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PREFIX + "/backups", this::backups);
        server.createContext(PREFIX + "/archives", this::archives);
        server.createContext(PREFIX + "/locks", this::locks);
        server.createContext("/", exchange -> send(exchange, 404, error("no such resource: "
                + exchange.getRequestURI().getRawPath() + "; see " + PREFIX + "/backups, " + PREFIX + "/archives, "
                + PREFIX + "/locks")));
    }

    /**
     * @param platform the platform
     * @param address  where to listen (port 0: any free port)
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    static ApiServer start(Platform platform, InetSocketAddress address) throws IOException {
        ApiServer api = new ApiServer(platform, HttpServer.create(address, 0));
        api.server.start();
        return api;
    }

    /** @return the port listened on */
    int port() {
        return server.getAddress().getPort();
    }

    /** @return the address listened on */
    InetSocketAddress address() {
        return server.getAddress();
    }

    private void backups(HttpExchange exchange) throws IOException {
        handle(exchange, rest -> {
            if (rest.isEmpty()) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.set("backups", Json.MAPPER.valueToTree(platform.backups().list()));
                return Response.ok(body);
            }
            String id = singleSegment(rest);
            if (id == null || !BackupIds.isValid(id)) {
                return Response.notFound("not a backup id: " + rest.substring(1));
            }
            return platform.backups().find(id).map(b -> Response.ok(Json.MAPPER.valueToTree(b)))
                    .orElseGet(() -> Response.notFound("no backup '" + id + "'"));
        });
    }

    private void archives(HttpExchange exchange) throws IOException {
        handle(exchange, rest -> {
            if (rest.isEmpty()) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.set("archives", Json.MAPPER.valueToTree(platform.archives().list().stream().map(ArchiveView::of)
                        .collect(Collectors.toList())));
                return Response.ok(body);
            }
            if (rest.endsWith("/icon")) {
                String id = singleSegment(rest.substring(0, rest.length() - "/icon".length()));
                Optional<Archive> archive = id != null && BackupIds.isValid(id) ? platform.archives().find(id)
                        : Optional.empty();
                if (archive.isEmpty() || archive.get().icon() == null) {
                    return Response.notFound("no icon for archive '" + rest + "'");
                }
                return new Response(200, "image/png", archive.get().icon());
            }
            String id = singleSegment(rest);
            if (id == null || !BackupIds.isValid(id)) {
                return Response.notFound("not an archive id: " + rest.substring(1));
            }
            return platform.archives().find(id).map(a -> Response.ok(Json.MAPPER.valueToTree(ArchiveView.of(a))))
                    .orElseGet(() -> Response.notFound("no archive '" + id + "'"));
        });
    }

    private void locks(HttpExchange exchange) throws IOException {
        handle(exchange, rest -> {
            if (!rest.isEmpty()) {
                return Response.notFound("no such resource: " + PREFIX + "/locks" + rest);
            }
            LockSnapshot snapshot = locks.snapshot();
            ObjectNode body = Json.MAPPER.createObjectNode().put("space", snapshot.space())
                    .put("version", snapshot.version()).put("readAt", snapshot.readAt().toString());
            body.set("locks", Json.MAPPER.valueToTree(snapshot.grants().stream()
                    .map(g -> GrantView.of(g, snapshot.readAt())).collect(Collectors.toList())));
            return Response.ok(body);
        });
    }

    /** @return the one path segment in {@code /segment}, decoded, or null if there are none or more */
    private static String singleSegment(String rest) {
        if (!rest.startsWith("/")) {
            return null; // e.g. the empty id of /archives/icon
        }
        String raw = rest.substring(1);
        if (raw.isEmpty() || raw.contains("/")) {
            return null;
        }
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface Route {
        Response answer(String rest) throws Exception;
    }

    private void handle(HttpExchange exchange, Route route) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                send(exchange, 405, error(exchange.getRequestMethod() + " is not allowed; this API is read-only (GET)"));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String context = exchange.getHttpContext().getPath();
            String rest = path.substring(context.length());
            if (!rest.isEmpty() && !rest.startsWith("/")) {
                send(exchange, 404, error("no such resource: " + path));
                return;
            }
            if (rest.equals("/")) {
                rest = "";
            }
            Response r;
            try {
                r = route.answer(rest);
            } catch (IllegalArgumentException e) {
                r = new Response(400, "application/json", error(e.getMessage()));
            } catch (Exception e) {
                LOG.error("GET {} failed", path, e);
                r = new Response(500, "application/json", error("internal error: " + e.getMessage()));
            }
            exchange.getResponseHeaders().set("Content-Type", r.contentType);
            exchange.sendResponseHeaders(r.status, r.body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] error(String message) {
        return Json.write(Json.MAPPER.createObjectNode().put("error", message)).getBytes(StandardCharsets.UTF_8);
    }

    private static final class Response {
        final int status;
        final String contentType;
        final byte[] body;

        Response(int status, String contentType, byte[] body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Response ok(Object json) {
            return new Response(200, "application/json", Json.write(json).getBytes(StandardCharsets.UTF_8));
        }

        static Response notFound(String message) {
            return new Response(404, "application/json", error(message));
        }
    }

    /** An archive as the API shows it: icon sizes and links instead of the bytes. */
    record ArchiveView(String id, String backupId, AppConfig appConfig, Integer iconBytes, Integer appStoreIconBytes,
                       String iconUrl, Instant creationTime) {
        static ArchiveView of(Archive a) {
            byte[] icon = a.icon();
            byte[] store = a.appStoreIcon();
            return new ArchiveView(a.id(), a.backupId(), a.appConfig(), icon == null ? null : icon.length,
                    store == null ? null : store.length, icon == null ? null : PREFIX + "/archives/" + a.id() + "/icon",
                    a.creationTime());
        }
    }

    /** One grant as the API shows it. */
    record GrantView(String lock, String mode, String holderId, String host, long pid, String task, Instant since,
                     double ageSeconds, long token, Instant leaseUntil) {
        static GrantView of(LockSnapshot.Grant g, Instant now) {
            return new GrantView(g.lock(), g.mode().name(), g.holderId(), g.holder().host(), g.holder().pid(),
                    g.holder().task(), g.since(), Duration.between(g.since(), now).toMillis() / 1000.0, g.token(),
                    g.leaseUntil());
        }
    }

    /** Stops listening (at once) and closes the server's lock manager. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        locks.close();
    }

    static List<String> routes() {
        return List.of(PREFIX + "/backups", PREFIX + "/backups/{id}", PREFIX + "/archives",
                PREFIX + "/archives/{id}/icon", PREFIX + "/locks");
    }
}
