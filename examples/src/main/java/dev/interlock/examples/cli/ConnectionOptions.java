package dev.interlock.examples.cli;

import dev.interlock.examples.domain.DatabaseSettings;
import dev.interlock.examples.domain.Platform;
import dev.interlock.examples.domain.Secret;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that touches the platform shares: where the database and the home directory are. */
final class ConnectionOptions {

    @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = "${env:INTERLOCK_JDBC_URL}",
            description = {"JDBC URL of a MySQL 8.0+ or MariaDB 10.6+ database, e.g. jdbc:mysql://db:3306/interlock"
                    + " (default: $INTERLOCK_JDBC_URL; without one, an embedded MariaDB whose data live in the home"
                    + " directory)"})
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "USER", defaultValue = "${env:INTERLOCK_JDBC_USER}",
            description = "database user (default: $INTERLOCK_JDBC_USER)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", defaultValue = "${env:INTERLOCK_JDBC_PASSWORD}",
            description = "database password (default: $INTERLOCK_JDBC_PASSWORD; prefer the variable: a command line"
                    + " is visible to other users)")
    String password;

    @Option(names = "--home", paramLabel = "DIR",
            defaultValue = "${env:INTERLOCK_HOME:-${sys:user.home}/.interlock-examples}",
            description = "home directory: app data, task logs, the demo's backup mount, the embedded database"
                    + " (default: $INTERLOCK_HOME, else ~/.interlock-examples)")
    Path home;

    @Option(names = "--space", paramLabel = "SPACE", defaultValue = Platform.DEFAULT_SPACE,
            description = "lock space (default: ${DEFAULT-VALUE})")
    String space;

    /**
     * Opens the platform, starting the embedded database first when no URL is given.
     *
     * @param status where to say which database is used
     * @return the session; close it when done
     */
    Session open(PrintWriter status) {
        EmbeddedDatabase embedded = null;
        DatabaseSettings settings;
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            embedded = EmbeddedDatabase.open(home, status);
            settings = embedded.settings();
        } else {
            settings = new DatabaseSettings(jdbcUrl, user, Secret.of(password));
        }
        try {
            Platform platform = Platform.open(settings, home, space, 4);
            platform.createSchema();
            return new Session(platform, embedded);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /**
     * An open platform and, when this command started it, the embedded database under it.
     *
     * @param platform the platform
     * @param embedded the embedded database, or {@code null}
     */
    record Session(Platform platform, EmbeddedDatabase embedded) implements AutoCloseable {
        @Override
        public void close() {
            platform.close();
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
