package dev.interlock.examples.domain;

import static dev.interlock.LockRequest.exclusive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.Lease;
import dev.interlock.LockRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The platform's long operations, each under the locks it needs (see {@link LockNames}):
 * <ul>
 *   <li>{@link #backupApp}: {@code app:<id>} and {@code backup:<new id>}, exclusive.</li>
 *   <li>{@link #fullBackup}: {@code task-type:full-backup} for the whole run, {@code backup:<box id>}, and each app's
 *       lock only during that app's step, so app tasks on the other apps go on meanwhile.</li>
 *   <li>{@link #update}: first a full backup (as above), then {@code task-type:update} only around the update
 *       step itself.</li>
 *   <li>{@link #restore}: {@code app:<id>} exclusive, {@code backup:<id>} shared.</li>
 *   <li>{@link #cloneFromArchive}: {@code app:<new id>} exclusive, {@code backup:<id>} shared.</li>
 *   <li>{@link #archive}: {@code backup:<id>} shared while the icon is read out of the backup.</li>
 * </ul>
 * Every operation reads the rows it works on again once it holds its locks. Thread-safe.
 */
public final class Operations {
    /** The file in an app's data directory that holds its icon. */
    public static final String ICON_FILE = "icon.png";
    private static final int MAX_ICON_BYTES = 1024 * 1024;

    private final Platform platform;

    /**
     * @param platform the platform to work on
     */
    public Operations(Platform platform) {
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /**
     * Backs up one app: inserts the backup as {@code creating}, writes the data directory to the mount, marks it
     * {@code normal}; on any failure marks it {@code error}.
     *
     * @param ctx          where locks, progress and notes go
     * @param appId        the app
     * @param parentId     the box backup this one belongs to, or {@code null}
     * @param label        a label
     * @param preserveSecs seconds to keep it at least
     * @return the backup
     * @throws IOException          if the data cannot be read or written
     * @throws InterruptedException if asked to stop
     */
    public Backup backupApp(WorkContext ctx, String appId, String parentId, String label, long preserveSecs)
            throws IOException, InterruptedException {
        platform.apps().require(appId);
        BackupConfig config = platform.settings().backupConfig();
        BackupStorage storage = platform.storage(config);
        String id = BackupIds.newId("app", platform.now());
        String remotePath = storage.remotePathFor(BackupType.APP, appId, id, config.format());
        try (Lease lease = ctx.lock(exclusive(LockNames.app(appId)).andExclusive(LockNames.backup(id)))) {
            App app = platform.apps().require(appId);
            platform.backups().insert(new Backup(id, BackupType.APP, appId, remotePath, config.format(),
                    BackupState.CREATING, storage.encryptionVersion(), app.config().packageVersion(), app.config(),
                    preserveSecs, label, parentId, null));
            ctx.note("backing up app " + appId + " into " + id + " (" + config.format().sql()
                    + (storage.encryptionVersion() != null ? ", encrypted" : "") + ")");
            try {
                long bytes = storage.write(app.dataDir(), remotePath, config.format(),
                        listener(ctx, "backing up " + appId));
                lease.checkHeld(); // our locks may have been forced free meanwhile: then this backup is not trusted
                complete(id);
                ctx.note("app backup " + id + " of " + appId + " is complete (" + human(bytes) + ")");
            } catch (IOException | RuntimeException e) {
                markError(id, ctx, e);
                throw e;
            }
        }
        return platform.backups().require(id);
    }

    /**
     * What a full backup made.
     *
     * @param box        the box backup
     * @param appBackups the app backups that belong to it
     */
    public record FullBackup(Backup box, List<Backup> appBackups) {
        /**
         * Copies.
         *
         * @param box        the box backup
         * @param appBackups the app backups that belong to it
         */
        public FullBackup {
            appBackups = List.copyOf(appBackups);
        }
    }

    /**
     * Backs up every installed app, one after the other, then the platform's own data (a box backup that the app
     * backups point at). Holds {@code task-type:full-backup} throughout, and each app's lock only for its step.
     *
     * @param ctx   where locks, progress and notes go
     * @param label a label for all its backups
     * @return the backups made
     * @throws IOException          if an app's data cannot be read or written (the box backup is then {@code error})
     * @throws InterruptedException if asked to stop
     */
    public FullBackup fullBackup(WorkContext ctx, String label) throws IOException, InterruptedException {
        try (Lease typeLock = ctx.lock(exclusive(LockNames.FULL_BACKUP))) {
            BackupConfig config = platform.settings().backupConfig();
            BackupStorage storage = platform.storage(config);
            String boxId = BackupIds.newId("box", platform.now());
            String remotePath = storage.remotePathFor(BackupType.BOX, Backup.BOX, boxId, config.format());
            try (Lease boxLock = ctx.lock(exclusive(LockNames.backup(boxId)))) {
                platform.backups().insert(new Backup(boxId, BackupType.BOX, Backup.BOX, remotePath, config.format(),
                        BackupState.CREATING, storage.encryptionVersion(), platform.settings().platformVersion(), null,
                        0, label, null, null));
                try {
                    List<App> apps = platform.apps().list();
                    List<Backup> made = new ArrayList<>();
                    for (int i = 0; i < apps.size(); i++) {
                        WorkContext step = new Scaled(ctx, 0.9 * i / apps.size(), 0.9 * (i + 1) / apps.size());
                        made.add(backupApp(step, apps.get(i).id(), boxId, label, 0));
                    }
                    Path staging = Files.createTempDirectory(platform.tmpDir(), "box-");
                    try {
                        Files.writeString(staging.resolve("platform.json"), platformSnapshot(apps, made));
                        storage.write(staging, remotePath, config.format(), listener(new Scaled(ctx, 0.9, 1.0),
                                "backing up the platform"));
                    } finally {
                        BackupStorage.deleteTree(staging);
                    }
                    boxLock.checkHeld();
                    typeLock.checkHeld();
                    complete(boxId);
                    ctx.note("box backup " + boxId + " is complete, with " + made.size() + " app backups");
                    return new FullBackup(platform.backups().require(boxId), made);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    markError(boxId, ctx, e);
                    throw e;
                }
            }
        }
    }

    private String platformSnapshot(List<App> apps, List<Backup> made) {
        ObjectNode root = Json.MAPPER.createObjectNode().put("platformVersion", platform.settings().platformVersion());
        ArrayNode list = root.putArray("apps");
        for (App app : apps) {
            list.addObject().put("id", app.id()).put("dataDir", app.dataDir().toString()).set("manifest",
                    app.config().manifest());
        }
        ArrayNode ids = root.putArray("appBackups");
        made.forEach(b -> ids.add(b.id()));
        return Json.write(root);
    }

    /**
     * Updates the platform: a full backup first (without the update lock), then, holding {@code task-type:update}
     * only for this step, installs the release under {@code <home>/platform/<version>} and records the version.
     * Holding that lock, it reads the installed version again and refuses to install one that is not newer, so that
     * two updates run at once never end on the older version.
     *
     * @param ctx          where locks, progress and notes go
     * @param toVersion    the version to install
     * @param releaseBytes the size of the release to install
     * @return the box backup made before the update
     * @throws IOException           if the backup or the installation fails
     * @throws InterruptedException  if asked to stop
     * @throws IllegalStateException if the installed version, read under the update lock, is not older than
     *                               {@code toVersion}
     */
    public FullBackup update(WorkContext ctx, String toVersion, long releaseBytes)
            throws IOException, InterruptedException {
        Objects.requireNonNull(toVersion, "toVersion");
        if (!toVersion.matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
            throw new IllegalArgumentException("a platform version is like 1.2.3, was '" + toVersion + "'");
        }
        String from = platform.settings().platformVersion();
        ctx.note("update " + from + " -> " + toVersion + ": full backup first; the update lock is not held yet");
        FullBackup backup = fullBackup(new Scaled(ctx, 0, 0.7), "before update to " + toVersion);
        try (Lease updateLock = ctx.lock(exclusive(LockNames.UPDATE))) {
            // Read again under the lock: another update may have installed a version since this one started.
            String installed = platform.settings().platformVersion();
            if (compareVersions(toVersion, installed) <= 0) {
                throw new IllegalStateException("not updating to " + toVersion + ": platform " + installed
                        + " is installed" + (installed.equals(from) ? "" : " (updated from " + from + " meanwhile)")
                        + ", and an update only installs a newer version");
            }
            ctx.note("installing platform " + toVersion);
            WorkContext step = new Scaled(ctx, 0.7, 1.0);
            Path releases = platform.home().resolve("platform");
            Files.createDirectories(releases);
            Path staging = Files.createTempDirectory(platform.tmpDir(), "release-");
            try {
                Random content = new Random(toVersion.hashCode());
                byte[] chunk = new byte[64 * 1024];
                try (OutputStream out = Files.newOutputStream(staging.resolve("release.bin"))) {
                    for (long done = 0; done < releaseBytes; ) {
                        int n = (int) Math.min(chunk.length, releaseBytes - done);
                        content.nextBytes(chunk);
                        out.write(chunk, 0, n);
                        done += n;
                        step.copied(n);
                        step.progress((double) done / releaseBytes, "installing platform " + toVersion);
                    }
                }
                Path target = releases.resolve(toVersion);
                BackupStorage.deleteTree(target);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                BackupStorage.deleteTree(staging);
            }
            updateLock.checkHeld();
            platform.settings().set(Settings.PLATFORM_VERSION, toVersion);
            ctx.note("platform updated from " + installed + " to " + toVersion);
        }
        return backup;
    }

    /**
     * @param a a version like {@code 1.2.3}
     * @param b another
     * @return negative, zero or positive as {@code a} is older than, the same as or newer than {@code b}, comparing
     *     each part as a number
     * @throws IllegalStateException if either is not like {@code 1.2.3}
     */
    static int compareVersions(String a, String b) {
        String[] x = versionParts(a);
        String[] y = versionParts(b);
        for (int i = 0; i < 3; i++) {
            String p = x[i].replaceFirst("^0+(?=.)", "");
            String q = y[i].replaceFirst("^0+(?=.)", "");
            int c = p.length() != q.length() ? Integer.compare(p.length(), q.length()) : p.compareTo(q);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String[] versionParts(String version) {
        if (!version.matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
            throw new IllegalStateException("a platform version is like 1.2.3, was '" + version + "'");
        }
        return version.split("\\.");
    }

    /**
     * Restores an app from one of its backups: its data, and the notes, operators and checklist it had when the
     * backup was made.
     *
     * @param ctx      where locks, progress and notes go
     * @param appId    the app
     * @param backupId one of its app backups
     * @return the app as restored
     * @throws IOException          if the backup cannot be read or the data written
     * @throws InterruptedException if asked to stop
     */
    public App restore(WorkContext ctx, String appId, String backupId) throws IOException, InterruptedException {
        Backup backup = restorable(backupId);
        if (!backup.identifier().equals(appId)) {
            throw new IllegalArgumentException("backup " + backupId + " belongs to app " + backup.identifier()
                    + ", not " + appId + "; clone it into a new app instead");
        }
        try (Lease lease = ctx.lock(exclusive(LockNames.app(appId)).andShared(LockNames.backup(backupId)))) {
            backup = restorable(backupId);
            App app = platform.apps().require(appId);
            Path staging = sibling(app.dataDir(), ".restoring");
            Path old = sibling(app.dataDir(), ".old");
            BackupStorage.deleteTree(staging);
            BackupStorage.deleteTree(old);
            platform.storage().restore(backup.remotePath(), backup.format(), backup.encryptionVersion(), staging,
                    listener(ctx, "restoring " + appId));
            lease.checkHeld();
            if (Files.exists(app.dataDir())) {
                Files.move(app.dataDir(), old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, app.dataDir(), StandardCopyOption.ATOMIC_MOVE);
            BackupStorage.deleteTree(old);
            if (backup.appConfig() != null) {
                platform.apps().updateConfig(appId, backup.appConfig(), lease.token());
                ctx.note("restored " + appId + " from " + backupId + " with its notes, operators and checklist of "
                        + backup.creationTime());
            } else {
                ctx.note("restored the data of " + appId + " from " + backupId
                        + "; an old-style backup has no app config, so notes, operators and checklist stay as they are");
            }
            return platform.apps().require(appId);
        }
    }

    /**
     * Creates a new app from an archive: the archived backup's data, and the manifest, notes, operators and
     * checklist as they were when that backup was made (not those of the app it came from, now).
     *
     * @param ctx      where locks, progress and notes go
     * @param archiveId the archive
     * @param newAppId the new app's id
     * @return the new app
     * @throws IOException          if the backup cannot be read or the data written
     * @throws InterruptedException if asked to stop
     */
    public App cloneFromArchive(WorkContext ctx, String archiveId, String newAppId)
            throws IOException, InterruptedException {
        Archive archive = platform.archives().require(archiveId);
        App.checkId(newAppId);
        if (platform.apps().find(newAppId).isPresent()) {
            throw new IllegalArgumentException("an app '" + newAppId + "' is installed already; pick another id");
        }
        try (Lease lease = ctx.lock(exclusive(LockNames.app(newAppId)).andShared(LockNames.backup(archive.backupId())))) {
            Backup backup = restorable(archive.backupId());
            if (platform.apps().find(newAppId).isPresent()) {
                throw new IllegalArgumentException("an app '" + newAppId + "' was installed meanwhile; pick another id");
            }
            Path dataDir = platform.appsDir().resolve(newAppId);
            if (Files.exists(dataDir)) {
                throw new IllegalStateException("the data directory " + dataDir + " of the new app exists already");
            }
            Path staging = sibling(dataDir, ".restoring");
            BackupStorage.deleteTree(staging);
            platform.storage().restore(backup.remotePath(), backup.format(), backup.encryptionVersion(), staging,
                    listener(ctx, "cloning " + archive.appConfig().manifest().path("title").asText(backup.identifier())
                            + " into " + newAppId));
            lease.checkHeld();
            Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
            App app = platform.apps().insert(newAppId, archive.appConfig(), dataDir, lease.token());
            ctx.note("cloned archive " + archiveId + " (backup " + backup.id() + " of " + backup.identifier()
                    + ") into app " + newAppId + " with the notes, operators and checklist of " + backup.creationTime());
            return app;
        }
    }

    /**
     * Changes an app's notes, operators and checklist (what an admin does in the UI), under the app's lock and
     * fenced by its token.
     *
     * @param ctx    where locks go
     * @param appId  the app
     * @param config the new configuration
     * @return the app as changed
     * @throws InterruptedException if asked to stop while waiting for the app's lock
     */
    public App editConfig(WorkContext ctx, String appId, AppConfig config) throws InterruptedException {
        platform.apps().require(appId);
        try (Lease lease = ctx.lock(exclusive(LockNames.app(appId)))) {
            platform.apps().updateConfig(appId, config, lease.token());
            return platform.apps().require(appId);
        }
    }

    /**
     * Archives an app backup: keeps it for good (the cleaner keeps archived backups), with its app config and its
     * icon, read out of the backup itself, plus the app store's icon if given.
     *
     * @param ctx          where locks and notes go
     * @param backupId     a complete app backup with an app config
     * @param appStoreIcon the app store's icon of the package, or {@code null}
     * @return the archive
     * @throws IOException              if the backup cannot be read
     * @throws InterruptedException     if asked to stop while waiting for the backup's lock
     * @throws IllegalArgumentException if the backup cannot be archived, saying why
     */
    public Archive archive(WorkContext ctx, String backupId, byte[] appStoreIcon)
            throws IOException, InterruptedException {
        Backup backup = archivable(backupId);
        try (Lease lease = ctx.lock(LockRequest.shared(LockNames.backup(backupId)))) {
            backup = archivable(backupId);
            byte[] icon = platform.storage().readFile(backup.remotePath(), backup.format(), backup.encryptionVersion(),
                    ICON_FILE, MAX_ICON_BYTES).orElse(null);
            lease.checkHeld(); // the cleaner cannot have deleted the backup under us
            Archive archive = platform.archives().insert(new Archive(BackupIds.newId("archive", platform.now()),
                    backupId, backup.appConfig(), icon, appStoreIcon, null));
            ctx.note("archived backup " + backupId + " of " + backup.identifier() + " as " + archive.id());
            return archive;
        }
    }

    private Backup archivable(String backupId) {
        Backup backup = platform.backups().require(backupId);
        if (backup.type() != BackupType.APP) {
            throw new IllegalArgumentException("backup " + backupId + " is a box backup; only app backups can be archived");
        }
        if (backup.state() != BackupState.NORMAL) {
            throw new IllegalArgumentException("backup " + backupId + " is " + backup.state().sql()
                    + "; only a complete (normal) backup can be archived");
        }
        if (backup.appConfig() == null) {
            throw new IllegalArgumentException("backup " + backupId + " has no app_config (an old-style backup), so it"
                    + " cannot be archived: an archive must be able to recreate the app's configuration");
        }
        platform.archives().findByBackup(backupId).ifPresent(a -> {
            throw new IllegalArgumentException("backup " + backupId + " is archived already, as " + a.id());
        });
        return backup;
    }

    private Backup restorable(String backupId) {
        Backup backup = platform.backups().require(backupId);
        if (backup.type() != BackupType.APP) {
            throw new IllegalArgumentException("backup " + backupId + " is a box backup, not an app backup");
        }
        if (backup.state() != BackupState.NORMAL) {
            throw new IllegalArgumentException("backup " + backupId + " is " + backup.state().sql()
                    + "; only a complete (normal) backup can be restored");
        }
        return backup;
    }

    private void complete(String backupId) {
        if (!platform.backups().setState(backupId, BackupState.CREATING, BackupState.NORMAL)) {
            throw new IllegalStateException("backup " + backupId + " was marked " + platform.backups().find(backupId)
                    .map(b -> b.state().sql()).orElse("deleted") + " while it was written: its lock was taken away");
        }
    }

    private void markError(String backupId, WorkContext ctx, Exception cause) {
        boolean interrupted = Thread.interrupted(); // record the state even when stopping
        try {
            if (platform.backups().setState(backupId, BackupState.CREATING, BackupState.ERROR)) {
                ctx.note("backup " + backupId + " failed and is marked error: " + cause.getMessage());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path sibling(Path dir, String suffix) {
        return dir.resolveSibling(dir.getFileName() + suffix);
    }

    private static BackupStorage.Listener listener(WorkContext ctx, String message) {
        long[] last = {0};
        return (done, total) -> {
            try {
                ctx.copied(done - last[0]);
                last[0] = done;
                ctx.progress(total == 0 ? 1.0 : Math.min(1.0, (double) done / total),
                        message + " (" + human(done) + " of " + human(total) + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                InterruptedIOException stop = new InterruptedIOException("stopped while " + message);
                stop.initCause(e);
                throw stop;
            }
        };
    }

    /**
     * @param bytes a size
     * @return e.g. {@code 3.2 MiB}
     */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** Maps a step's progress onto a part of the whole. */
    private static final class Scaled implements WorkContext {
        private final WorkContext outer;
        private final double from;
        private final double to;

        Scaled(WorkContext outer, double from, double to) {
            this.outer = outer;
            this.from = from;
            this.to = to;
        }

        @Override
        public Lease lock(LockRequest request) throws InterruptedException {
            return outer.lock(request);
        }

        @Override
        public void progress(double fraction, String message) throws InterruptedException {
            outer.progress(from + (to - from) * fraction, message);
        }

        @Override
        public void copied(long bytes) throws InterruptedException {
            outer.copied(bytes);
        }

        @Override
        public void note(String message) {
            outer.note(message);
        }
    }
}
