package dev.interlock.examples.cli;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the read-only HTTP API until interrupted (Ctrl-C):",
            "  GET /api/v1/backups, /api/v1/backups/{id}, /api/v1/archives, /api/v1/archives/{id}/icon, /api/v1/locks"})
final class ServeCommand extends PlatformCommand {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Override
    int run(ConnectionOptions.Session session) throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, was " + port);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (ApiServer server = ApiServer.start(session.platform(), new InetSocketAddress(bind, port))) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "serve-stop"));
            out().println("serving http://" + server.address().getHostString() + ":" + server.port()
                    + ApiServer.PREFIX + "/ (" + String.join(", ", ApiServer.routes()) + "); Ctrl-C stops");
            out().flush();
            stop.await();
        }
        return 0;
    }
}
