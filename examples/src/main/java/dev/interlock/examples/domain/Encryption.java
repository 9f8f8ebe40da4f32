package dev.interlock.examples.domain;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption version 1 of backups: AES-256-GCM over a stream cut into segments, with a key derived from the
 * password by PBKDF2-HMAC-SHA256. Everything comes from the JDK.
 *
 * <p>A stream is a 32-byte header, then segments:
 * <pre>
 * header  = "ILBK" | version (1 byte, = 1) | PBKDF2 iterations (4 bytes) | salt (16 bytes) | nonce prefix (7 bytes)
 * segment = flags and length (4 bytes: bit 31 set on the last segment, then the ciphertext length)
 *           | AES-GCM ciphertext of up to 64 KiB of plaintext, with its 16-byte tag
 * nonce   = nonce prefix (7) | segment number (4) | 1 on the last segment, else 0 (1)
 * </pre>
 * Each segment is authenticated with the header as associated data, so segments cannot be reordered, dropped,
 * truncated at a segment boundary, or moved to another stream (the prefix is random per stream), and the header
 * cannot be changed. GCM alone would hold a whole stream in memory to check its tag; segments keep memory flat.
 *
 * <p>One instance makes streams with one salt (one per backup) so the slow key derivation runs once per backup,
 * not once per file; keys are cached per salt. Thread-safe.
 */
final class Encryption {
    /** The value of {@code backups.encryption_version} for this scheme. */
    static final int VERSION = 1;
    /** PBKDF2 iterations for new streams (OWASP's figure for PBKDF2-HMAC-SHA256). */
    static final int ITERATIONS = 600_000;

    private static final byte[] MAGIC = {'I', 'L', 'B', 'K'};
    private static final int SALT_BYTES = 16;
    private static final int PREFIX_BYTES = 7;
    private static final int HEADER_BYTES = MAGIC.length + 1 + 4 + SALT_BYTES + PREFIX_BYTES;
    private static final int TAG_BYTES = 16;
    static final int SEGMENT_BYTES = 64 * 1024;
    private static final int LAST_FLAG = 0x8000_0000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Secret password;
    private final byte[] salt;
    private final int iterations;
    private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();

    /**
     * @param password the password (must be present)
     */
    Encryption(Secret password) {
        this(password, ITERATIONS);
    }

    Encryption(Secret password, int iterations) {
        this.password = Objects.requireNonNull(password, "password");
        if (!password.isPresent()) {
            throw new IllegalArgumentException("encryption needs a password");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be between 1 and " + MAX_ITERATIONS + ", was " + iterations);
        }
        this.iterations = iterations;
        this.salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
    }

    /**
     * @param out where the ciphertext goes; closed with the returned stream
     * @return a stream that encrypts what is written to it; close it to write the last segment
     * @throws IOException if the header cannot be written
     */
    OutputStream encrypt(OutputStream out) throws IOException {
        byte[] header = ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).put((byte) VERSION).putInt(iterations).put(salt)
                .put(randomPrefix()).array();
        out.write(header);
        return new Encrypting(out, key(salt, iterations), header);
    }

    /**
     * @param in   the ciphertext; closed with the returned stream
     * @param name what is read, for messages (a file name)
     * @return a stream of the plaintext, which fails with an {@link IOException} naming {@code name} on a wrong
     *     password, damaged, truncated or extended data
     * @throws IOException if the header is missing or not of this scheme
     */
    InputStream decrypt(InputStream in, String name) throws IOException {
        byte[] header = new byte[HEADER_BYTES];
        try {
            new DataInputStream(in).readFully(header);
        } catch (EOFException e) {
            throw new IOException(name + " is not an encrypted backup file: it is shorter than the header");
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        byte[] magic = new byte[MAGIC.length];
        h.get(magic);
        int version = h.get();
        if (!Arrays.equals(magic, MAGIC) || version != VERSION) {
            throw new IOException(name + " is not a backup file encrypted with encryption version " + VERSION);
        }
        int iter = h.getInt();
        if (iter < 1 || iter > MAX_ITERATIONS) {
            throw new IOException(name + " has a damaged header (" + iter + " iterations)");
        }
        byte[] fileSalt = new byte[SALT_BYTES];
        h.get(fileSalt);
        return new Decrypting(in, key(fileSalt, iter), header, name);
    }

    private static byte[] randomPrefix() {
        byte[] prefix = new byte[PREFIX_BYTES];
        RANDOM.nextBytes(prefix);
        return prefix;
    }

    private SecretKey key(byte[] keySalt, int iter) {
        return keys.computeIfAbsent(Base64.getEncoder().encodeToString(keySalt) + ':' + iter, k -> {
            PBEKeySpec spec = new PBEKeySpec(password.reveal().toCharArray(), keySalt, iter, 256);
            try {
                byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
                return new SecretKeySpec(raw, "AES");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK cannot derive keys with PBKDF2WithHmacSHA256", e);
            } finally {
                spec.clearPassword();
            }
        });
    }

    private static byte[] nonce(byte[] header, int segment, boolean last) {
        return ByteBuffer.allocate(12).put(header, HEADER_BYTES - PREFIX_BYTES, PREFIX_BYTES).putInt(segment)
                .put((byte) (last ? 1 : 0)).array();
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] header, int segment, boolean last) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(header, segment, last)));
            cipher.updateAAD(header);
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot run AES/GCM/NoPadding", e);
        }
    }

    /** Buffers one segment; writes it when the next byte arrives or, as the last one, on close. */
    private static final class Encrypting extends FilterOutputStream {
        private final DataOutputStream data;
        private final SecretKey key;
        private final byte[] header;
        private final byte[] buffer = new byte[SEGMENT_BYTES];
        private int filled;
        private int segment;
        private boolean closed;

        Encrypting(OutputStream out, SecretKey key, byte[] header) {
            super(out);
            this.data = new DataOutputStream(out);
            this.key = key;
            this.header = header;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            while (len > 0) {
                if (filled == buffer.length) {
                    writeSegment(false);
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void writeSegment(boolean last) throws IOException {
            if (segment == Integer.MAX_VALUE) {
                throw new IOException("too much data for one encrypted stream");
            }
            byte[] sealed;
            try {
                sealed = cipher(Cipher.ENCRYPT_MODE, key, header, segment, last).doFinal(buffer, 0, filled);
            } catch (GeneralSecurityException e) {
                throw new IOException("encryption failed", e);
            }
            data.writeInt((last ? LAST_FLAG : 0) | sealed.length);
            data.write(sealed);
            segment++;
            filled = 0;
        }

        @Override
        public void flush() throws IOException {
            data.flush(); // a partial segment stays buffered: only whole segments are written before close
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                writeSegment(true);
                data.flush();
            } finally {
                out.close();
            }
        }
    }

    /** Reads, checks and decrypts one segment at a time. */
    private static final class Decrypting extends InputStream {
        private final DataInputStream in;
        private final SecretKey key;
        private final byte[] header;
        private final String name;
        private byte[] plain = new byte[0];
        private int pos;
        private int segment;
        private boolean sawLast;

        Decrypting(InputStream in, SecretKey key, byte[] header, String name) {
            this.in = new DataInputStream(in);
            this.key = key;
            this.header = header;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (pos == plain.length) {
                if (sawLast) {
                    return -1;
                }
                nextSegment();
            }
            int n = Math.min(len, plain.length - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        private void nextSegment() throws IOException {
            int word;
            try {
                word = in.readInt();
            } catch (EOFException e) {
                throw new IOException(name + " is truncated: it ends after " + segment + " segments, before the last");
            }
            boolean last = (word & LAST_FLAG) != 0;
            int length = word & ~LAST_FLAG;
            if (length < TAG_BYTES || length > SEGMENT_BYTES + TAG_BYTES) {
                throw new IOException(name + " is damaged: segment " + segment + " claims " + length + " bytes");
            }
            byte[] sealed = new byte[length];
            try {
                in.readFully(sealed);
            } catch (EOFException e) {
                throw new IOException(name + " is truncated inside segment " + segment);
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, key, header, segment, last).doFinal(sealed);
            } catch (AEADBadTagException e) {
                throw new IOException(segment == 0
                        ? "cannot decrypt " + name + ": wrong backup password, or the file is damaged"
                        : name + " is damaged: segment " + segment + " fails its integrity check");
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot decrypt " + name + ": " + e.getMessage(), e);
            }
            pos = 0;
            segment++;
            if (last) {
                sawLast = true;
                if (in.read() != -1) {
                    throw new IOException(name + " is damaged: data follows its last segment");
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
