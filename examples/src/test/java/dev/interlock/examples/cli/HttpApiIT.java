package dev.interlock.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.TestWork;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Operations;
import dev.interlock.examples.domain.Secret;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on a real database: backup ids stand in URL paths as they are. */
class HttpApiIT {
    @TempDir
    Path home;

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(ApiServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void backupsArchivesAndLocksAreServedAsJson() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.of("pw"), BackupFormat.TGZ);
             LockManager locks = p.platform().lockManager("api-test", new LockListener() { });
             ApiServer server = ApiServer.start(p.platform(), new InetSocketAddress("127.0.0.1", 0))) {
            p.seedApp("wiki", 64);
            Operations ops = new Operations(p.platform());
            TestWork work = new TestWork(locks);
            List<Backup> made = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                made.add(ops.backupApp(work, "wiki", null, "label " + i, 0));
            }
            Archive archive = ops.archive(work, made.get(0).id(), null);

            JsonNode list = Json.tree(get(server, "/api/v1/backups").body());
            assertEquals(3, list.get("backups").size());
            for (Backup b : made) {
                // The id goes into the path as it is: no escaping, no slash.
                URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/backups/" + b.id());
                assertEquals("/api/v1/backups/" + b.id(), uri.getRawPath());
                HttpResponse<String> one = client.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, one.statusCode(), one.body());
                assertEquals("application/json", one.headers().firstValue("Content-Type").orElse(""));
                JsonNode json = Json.tree(one.body());
                assertEquals(b.id(), json.get("id").asText());
                assertEquals("app", json.get("type").asText());
                assertEquals("wiki", json.get("identifier").asText());
                assertEquals("normal", json.get("state").asText());
                assertEquals("tgz", json.get("format").asText());
                assertEquals(1, json.get("encryptionVersion").asInt());
                assertEquals("notes of wiki", json.get("appConfig").get("notes").asText());
                assertTrue(json.get("remotePath").asText().startsWith("app/wiki/" + b.id()),
                        "the remote path is a field of its own: " + json);
            }

            JsonNode archives = Json.tree(get(server, "/api/v1/archives").body()).get("archives");
            assertEquals(1, archives.size());
            assertEquals(archive.id(), archives.get(0).get("id").asText());
            assertEquals(made.get(0).id(), archives.get(0).get("backupId").asText());
            HttpResponse<String> icon = get(server, archives.get(0).get("iconUrl").asText());
            assertEquals(200, icon.statusCode());
            assertEquals("image/png", icon.headers().firstValue("Content-Type").orElse(""));
            assertEquals(Files.size(p.platform().apps().require("wiki").dataDir().resolve("icon.png")),
                    archives.get(0).get("iconBytes").asLong());

            try (Lease lease = locks.acquire(LockRequest.exclusive("app:wiki"), java.time.Duration.ofSeconds(5))) {
                JsonNode snapshot = Json.tree(get(server, "/api/v1/locks").body());
                assertEquals("platform", snapshot.get("space").asText());
                JsonNode grant = snapshot.get("locks").get(0);
                assertEquals("app:wiki", grant.get("lock").asText());
                assertEquals("EXCLUSIVE", grant.get("mode").asText());
                assertEquals(ProcessHandle.current().pid(), grant.get("pid").asLong());
                assertEquals("api-test", grant.get("task").asText());
                assertEquals(lease.token(), grant.get("token").asLong());
                assertTrue(grant.get("ageSeconds").asDouble() >= 0);
            }
        }
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             ApiServer server = ApiServer.start(p.platform(), new InetSocketAddress("127.0.0.1", 0))) {
            HttpResponse<String> unknown = get(server, "/api/v1/backups/app-20261127-100312-k3f9q2m1");
            assertEquals(404, unknown.statusCode());
            assertEquals("no backup 'app-20261127-100312-k3f9q2m1'", Json.tree(unknown.body()).get("error").asText());
            HttpResponse<String> pathLike = get(server, "/api/v1/backups/app/wiki/2026-11-27");
            assertEquals(404, pathLike.statusCode(), "an old path-like id is not a backup id");
            HttpResponse<String> escaped = get(server, "/api/v1/backups/app%2Fwiki");
            assertEquals(404, escaped.statusCode());
            assertEquals("not a backup id: app%2Fwiki", Json.tree(escaped.body()).get("error").asText());
            HttpResponse<String> noId = get(server, "/api/v1/archives/icon");
            assertEquals(404, noId.statusCode(), noId.body());
            assertEquals("no icon for archive '/icon'", Json.tree(noId.body()).get("error").asText());
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/api/v1/backups")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
            HttpResponse<String> elsewhere = get(server, "/api/v2/things");
            assertEquals(404, elsewhere.statusCode());
            assertTrue(Json.tree(elsewhere.body()).get("error").asText().startsWith("no such resource: /api/v2/things"));
            assertEquals(0, Json.tree(get(server, "/api/v1/backups").body()).get("backups").size());
        }
    }
}
