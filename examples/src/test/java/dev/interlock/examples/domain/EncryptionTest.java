package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Encryption version 1: round trips, and every kind of damage detected with a message that names the file. */
class EncryptionTest {
    // Few iterations keep the test fast; the format records them, so decryption reads them from the header.
    private final Encryption encryption = new Encryption(Secret.of("correct horse"), 1000);

    private byte[] encrypt(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = encryption.encrypt(out)) {
            // odd-sized writes cross segment boundaries
            for (int off = 0; off < plain.length; off += 10_007) {
                enc.write(plain, off, Math.min(10_007, plain.length - off));
            }
        }
        return out.toByteArray();
    }

    private byte[] decrypt(Encryption with, byte[] sealed) throws IOException {
        try (InputStream in = with.decrypt(new ByteArrayInputStream(sealed), "backup.tar.gz.enc")) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void roundTripsAnySize() throws IOException {
        int seg = Encryption.SEGMENT_BYTES;
        for (int size : new int[] {0, 1, 1000, seg - 1, seg, seg + 1, 3 * seg, 3 * seg + 17}) {
            byte[] plain = random(size);
            byte[] sealed = encrypt(plain);
            assertArrayEquals(plain, decrypt(encryption, sealed), "size " + size);
        }
    }

    @Test
    void theCiphertextHidesThePlaintextAndTheKey() throws IOException {
        byte[] plain = "the same line again\n".repeat(5000).getBytes(StandardCharsets.UTF_8);
        byte[] sealed = encrypt(plain);
        String text = new String(sealed, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("the same line"), "plaintext visible");
        assertFalse(text.contains("correct horse"), "password visible");
        assertFalse(Arrays.equals(sealed, encrypt(plain)), "two encryptions of the same data differ (random nonces)");
    }

    @Test
    void aWrongPasswordIsReportedAsSuch() throws IOException {
        byte[] sealed = encrypt(random(100));
        IOException e = assertThrows(IOException.class,
                () -> decrypt(new Encryption(Secret.of("wrong"), 1000), sealed));
        assertEquals("cannot decrypt backup.tar.gz.enc: wrong backup password, or the file is damaged", e.getMessage());
    }

    @Test
    void damageIsDetected() throws IOException {
        byte[] sealed = encrypt(random(3 * Encryption.SEGMENT_BYTES));
        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        IOException e = assertThrows(IOException.class, () -> decrypt(encryption, flipped));
        assertTrue(e.getMessage().contains("fails its integrity check") || e.getMessage().contains("damaged"),
                e.getMessage());

        byte[] header = sealed.clone();
        header[10] ^= 1; // inside the salt: another key, and the header is authenticated anyway
        assertThrows(IOException.class, () -> decrypt(encryption, header));
    }

    @Test
    void truncationAndExtensionAreDetected() throws IOException {
        byte[] sealed = encrypt(random(2 * Encryption.SEGMENT_BYTES + 5));
        // cut exactly after the first segment: 32-byte header, 4-byte length, segment and tag
        int firstSegmentEnd = 32 + 4 + Encryption.SEGMENT_BYTES + 16;
        IOException cut = assertThrows(IOException.class,
                () -> decrypt(encryption, Arrays.copyOf(sealed, firstSegmentEnd)));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        IOException cutInside = assertThrows(IOException.class,
                () -> decrypt(encryption, Arrays.copyOf(sealed, sealed.length - 3)));
        assertTrue(cutInside.getMessage().contains("truncated"), cutInside.getMessage());
        byte[] longer = Arrays.copyOf(sealed, sealed.length + 1);
        IOException extended = assertThrows(IOException.class, () -> decrypt(encryption, longer));
        assertTrue(extended.getMessage().contains("data follows its last segment"), extended.getMessage());
    }

    @Test
    void plainDataIsNotMistakenForEncryptedData() {
        IOException e = assertThrows(IOException.class,
                () -> decrypt(encryption, "not encrypted at all, but long enough for a header".getBytes(
                        StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("is not a backup file encrypted with encryption version 1"), e.getMessage());
    }

    @Test
    void aPasswordIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new Encryption(Secret.none()));
    }
}
