package dev.interlock.examples.domain;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Reads and writes backups under the backup root (derived from the mount, see {@link BackupConfig#rootPath()}).
 *
 * <ul>
 *   <li>{@link BackupFormat#TGZ}: one file, {@code <remote path>}, a gzip of a tar of the directory (commons-compress),
 *       encrypted as a whole when a password is set ({@link Encryption}).</li>
 *   <li>{@link BackupFormat#RSYNC}: a directory, {@code <remote path>/}, holding a copy of the tree; each file's
 *       content is encrypted on its own when a password is set (file names stay readable).</li>
 * </ul>
 * A backup is written under {@code <remote path>.partial} and renamed into place when complete, so a backup that
 * exists under its name is whole. Only regular files and directories are backed up; anything else (a symbolic
 * link, a device) fails the backup with a message naming it. Restores refuse entries that would land outside the
 * target directory.
 *
 * <p>Not thread-safe for one write; separate calls may run in parallel.
 */
public final class BackupStorage {

    /** Hears how far a copy got; may throw to abort it (e.g. {@link java.io.InterruptedIOException}). */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param done  bytes copied so far
         * @param total bytes to copy in all (an estimate for restores of tgz backups: the stored size)
         * @throws IOException to abort the copy
         */
        void copied(long done, long total) throws IOException;

        /** A listener that does nothing. */
        Listener NONE = (done, total) -> { };
    }

    /** Suffix of a backup being written. */
    static final String PARTIAL = ".partial";
    private static final int CHUNK = 64 * 1024;

    private final Path root;
    private final Secret password;

    /**
     * @param root     the backup root
     * @param password the backup password, or {@link Secret#none()} to write plain backups
     */
    public BackupStorage(Path root, Secret password) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.password = Objects.requireNonNull(password, "password");
    }

    /** @return the backup root */
    public Path root() {
        return root;
    }

    /** @return the {@code encryption_version} of backups written now: {@code 1} with a password, else {@code null} */
    public Integer encryptionVersion() {
        return password.isPresent() ? Encryption.VERSION : null;
    }

    /**
     * The remote path for a new backup.
     *
     * @param type       box or app
     * @param identifier the app id or {@code box}
     * @param backupId   the backup's id
     * @param format     the format
     * @return e.g. {@code app/wiki/app-20261127-100312-k3f9q2m1.tar.gz.enc}
     */
    public String remotePathFor(BackupType type, String identifier, String backupId, BackupFormat format) {
        String base = type.sql() + "/" + identifier + "/" + backupId;
        if (format == BackupFormat.TGZ) {
            return base + ".tar.gz" + (password.isPresent() ? ".enc" : "");
        }
        return base;
    }

    /**
     * Writes a backup of a directory.
     *
     * @param source     the directory to back up
     * @param remotePath where, relative to the root
     * @param format     how
     * @param listener   hears the progress
     * @return the number of bytes of file content backed up
     * @throws IOException if reading or writing fails, or the tree holds something other than files and directories
     */
    public long write(Path source, String remotePath, BackupFormat format, Listener listener) throws IOException {
        if (!Files.isDirectory(source)) {
            throw new IOException("cannot back up " + source + ": not a directory");
        }
        List<Path> entries = listTree(source);
        long total = 0;
        for (Path p : entries) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                total += Files.size(p);
            }
        }
        Path target = resolve(remotePath);
        Path partial = target.resolveSibling(target.getFileName() + PARTIAL);
        Files.createDirectories(target.getParent());
        deleteTree(partial);
        Counter counter = new Counter(total, listener);
        Encryption encryption = password.isPresent() ? new Encryption(password) : null;
        try {
            if (format == BackupFormat.TGZ) {
                writeTgz(source, entries, partial, encryption, counter);
            } else {
                writeTree(source, entries, partial, encryption, counter);
            }
            deleteTree(target);
            move(partial, target);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
        return total;
    }

    private void writeTgz(Path source, List<Path> entries, Path file, Encryption encryption, Counter counter)
            throws IOException {
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), CHUNK);
        OutputStream sink = encryption == null ? raw : encryption.encrypt(raw);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(sink))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : entries) {
                String name = relativeName(source, p);
                TarArchiveEntry entry = tar.createArchiveEntry(p, Files.isDirectory(p) ? name + "/" : name,
                        LinkOption.NOFOLLOW_LINKS);
                Integer permissions = permissionBits(p);
                if (permissions != null) {
                    entry.setMode((entry.getMode() & ~0777) | permissions);
                }
                tar.putArchiveEntry(entry);
                if (entry.isFile()) {
                    try (InputStream in = Files.newInputStream(p)) {
                        counter.copy(in, tar);
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        force(file);
    }

    private void writeTree(Path source, List<Path> entries, Path dir, Encryption encryption, Counter counter)
            throws IOException {
        Files.createDirectories(dir);
        List<Map.Entry<Path, Path>> dirs = new ArrayList<>();
        for (Path p : entries) {
            Path out = dir.resolve(relativeName(source, p));
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(out);
                dirs.add(Map.entry(p, out));
            } else {
                OutputStream raw = new BufferedOutputStream(Files.newOutputStream(out, StandardOpenOption.CREATE_NEW),
                        CHUNK);
                try (InputStream in = Files.newInputStream(p);
                     OutputStream sink = encryption == null ? raw : encryption.encrypt(raw)) {
                    counter.copy(in, sink);
                }
                force(out);
                copyAttributes(p, out);
            }
        }
        copyDirectoryAttributes(dirs);
    }

    /**
     * Restores a backup into a directory.
     *
     * @param remotePath        the backup's remote path
     * @param format            the backup's format (from its row, not the current configuration)
     * @param encryptionVersion the backup's encryption version, or {@code null}
     * @param target            a directory that does not exist yet or is empty
     * @param listener          hears the progress
     * @throws IOException if the backup is missing, damaged, encrypted with another password, or cannot be written out
     */
    public void restore(String remotePath, BackupFormat format, Integer encryptionVersion, Path target,
                        Listener listener) throws IOException {
        Encryption encryption = decryptionFor(remotePath, encryptionVersion);
        Path source = resolve(remotePath);
        Files.createDirectories(target);
        Path into = target.toAbsolutePath().normalize();
        if (format == BackupFormat.TGZ) {
            if (!Files.isRegularFile(source)) {
                throw new IOException("backup file " + source + " is missing");
            }
            Counter counter = new Counter(Files.size(source), listener);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                    open(source, encryption, counter)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path out = inside(into, entry.getName());
                    if (entry.isDirectory()) {
                        Files.createDirectories(out);
                    } else if (entry.isFile()) {
                        Files.createDirectories(out.getParent());
                        try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                            tar.transferTo(o);
                        }
                        Files.setLastModifiedTime(out, FileTime.from(entry.getModTime().toInstant()));
                        setMode(out, entry.getMode());
                    } else {
                        throw new IOException(source + " holds '" + entry.getName()
                                + "', which is neither a file nor a directory");
                    }
                }
            }
        } else {
            if (!Files.isDirectory(source)) {
                throw new IOException("backup directory " + source + " is missing");
            }
            List<Path> entries = listTree(source);
            long total = 0;
            for (Path p : entries) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
            Counter counter = new Counter(total, listener);
            List<Map.Entry<Path, Path>> dirs = new ArrayList<>();
            for (Path p : entries) {
                Path out = inside(into, relativeName(source, p));
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(out);
                    dirs.add(Map.entry(p, out));
                } else {
                    try (InputStream in = open(p, encryption, null);
                         OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                        counter.copy(in, o);
                    }
                    copyAttributes(p, out);
                }
            }
            copyDirectoryAttributes(dirs);
        }
    }

    /**
     * Reads one file out of a backup.
     *
     * @param remotePath        the backup's remote path
     * @param format            its format
     * @param encryptionVersion its encryption version, or {@code null}
     * @param name              the file's path inside the backup, e.g. {@code icon.png}
     * @param maxBytes          the most bytes to read
     * @return the content, or empty if the backup has no such file
     * @throws IOException if the backup cannot be read or the file is larger than {@code maxBytes}
     */
    public Optional<byte[]> readFile(String remotePath, BackupFormat format, Integer encryptionVersion, String name,
                                     int maxBytes) throws IOException {
        Encryption encryption = decryptionFor(remotePath, encryptionVersion);
        Path source = resolve(remotePath);
        if (format == BackupFormat.TGZ) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                    open(source, encryption, null)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    if (entry.isFile() && entry.getName().equals(name)) {
                        return Optional.of(readAtMost(tar, maxBytes, name));
                    }
                }
                return Optional.empty();
            }
        }
        Path file = inside(source, name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = open(file, encryption, null)) {
            return Optional.of(readAtMost(in, maxBytes, name));
        }
    }

    /**
     * @param remotePath a backup's remote path
     * @param format     its format
     * @return whether the complete backup is there
     */
    public boolean exists(String remotePath, BackupFormat format) {
        Path p = resolve(remotePath);
        return format == BackupFormat.TGZ ? Files.isRegularFile(p) : Files.isDirectory(p);
    }

    /**
     * Deletes a backup's storage, complete or partial, and the directories it leaves empty. Deleting what is not
     * there succeeds.
     *
     * @param remotePath a backup's remote path
     * @throws IOException if something cannot be deleted
     */
    public void delete(String remotePath) throws IOException {
        Path p = resolve(remotePath);
        deleteTree(p);
        deleteTree(p.resolveSibling(p.getFileName() + PARTIAL));
        for (Path dir = p.getParent(); dir != null && !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                break;
            }
        }
    }

    private Encryption decryptionFor(String remotePath, Integer encryptionVersion) throws IOException {
        if (encryptionVersion == null) {
            return null;
        }
        if (encryptionVersion != Encryption.VERSION) {
            throw new IOException("backup " + remotePath + " uses encryption version " + encryptionVersion
                    + "; this program reads version " + Encryption.VERSION);
        }
        if (!password.isPresent()) {
            throw new IOException("backup " + remotePath + " is encrypted, and no backup password is configured");
        }
        return new Encryption(password);
    }

    private InputStream open(Path file, Encryption encryption, Counter counter) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK);
        if (counter != null) {
            in = counter.counting(in);
        }
        return encryption == null ? in : encryption.decrypt(in, file.getFileName().toString());
    }

    private Path resolve(String remotePath) {
        return inside(root, remotePath);
    }

    private static Path inside(Path dir, String name) {
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir) || p.equals(dir)) {
            throw new IllegalArgumentException("'" + name + "' points outside " + dir);
        }
        return p;
    }

    private static List<Path> listTree(Path source) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (p.equals(source)) {
                    continue;
                }
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("cannot back up " + p + ": only regular files and directories are supported"
                            + (Files.isSymbolicLink(p) ? " (it is a symbolic link)" : ""));
                }
                entries.add(p);
            }
        }
        return entries;
    }

    private static String relativeName(Path base, Path p) {
        List<String> parts = new ArrayList<>();
        for (Path part : base.relativize(p)) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    private static byte[] readAtMost(InputStream in, int maxBytes, String name) throws IOException {
        byte[] data = in.readNBytes(maxBytes + 1);
        if (data.length > maxBytes) {
            throw new IOException(name + " is larger than " + maxBytes + " bytes");
        }
        return data;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void copyAttributes(Path from, Path to) throws IOException {
        PosixFileAttributeView src = Files.getFileAttributeView(from, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributeView dst = Files.getFileAttributeView(to, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (src != null && dst != null) {
            dst.setPermissions(src.readAttributes().permissions());
        }
        Files.setLastModifiedTime(to, Files.getLastModifiedTime(from, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Copies the permissions and modification times of directories once everything inside them is written, deepest
     * first: writing into a directory changes its time, and a read-only one could not be written into at all.
     *
     * @param dirs source and copy of each directory, parents before their children (the order of a sorted walk)
     */
    private static void copyDirectoryAttributes(List<Map.Entry<Path, Path>> dirs) throws IOException {
        for (int i = dirs.size() - 1; i >= 0; i--) {
            copyAttributes(dirs.get(i).getKey(), dirs.get(i).getValue());
        }
    }

    /** @return the rwx bits of a file (e.g. 0750), or null where the file system has none */
    private static Integer permissionBits(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return null;
        }
        int bits = 0;
        for (PosixFilePermission p : view.readAttributes().permissions()) {
            bits |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400 ... OTHERS_EXECUTE is 8 = 0001
        }
        return bits;
    }

    private static void setMode(Path file, int mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        view.setPermissions(perms);
    }

    /**
     * Deletes a file, or a directory and everything in it. Deleting what does not exist succeeds. Symbolic links are
     * deleted, not followed. A read-only directory in the tree (copied as it was by a backup or a restore) is made
     * writable for its owner first, so that its entries can go.
     *
     * @param p the file or directory
     * @throws IOException if something cannot be deleted
     */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (view != null && !Files.isWritable(dir)) {
                    Set<PosixFilePermission> permissions = view.readAttributes().permissions();
                    permissions.add(PosixFilePermission.OWNER_WRITE);
                    view.setPermissions(permissions);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException e) {
            // the next write or the cleaner removes it
        }
    }

    /** Counts copied bytes and tells the listener after each chunk. */
    private static final class Counter {
        private final long total;
        private final Listener listener;
        private long done;

        Counter(long total, Listener listener) {
            this.total = total;
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        void copy(InputStream in, OutputStream out) throws IOException {
            byte[] buffer = new byte[CHUNK];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                add(n);
            }
        }

        void add(long n) throws IOException {
            done += n;
            listener.copied(done, total);
        }

        InputStream counting(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        add(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        add(n);
                    }
                    return n;
                }
            };
        }
    }
}
