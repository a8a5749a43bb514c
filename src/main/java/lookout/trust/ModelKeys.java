package lookout.trust;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

import lookout.common.Sha256;

/**
 * Ed25519 keys as Lookout keeps them: PEM files ({@code PRIVATE KEY} = PKCS#8, {@code PUBLIC KEY} =
 * X.509), or inline as {@code base64:<DER>} (an environment variable). A key id is the first 16 hex
 * digits of the sha256 of the public key's X.509 encoding. Error messages name a file, never a key's
 * bytes.
 */
public final class ModelKeys {
    public static final String ALGORITHM = "Ed25519";
    /** The prefix of a key given inline instead of as a file. */
    public static final String INLINE = "base64:";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ModelKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        }
    }

    /** First 16 hex digits of sha256(X.509 encoding): short, and stable for the key. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    /**
     * The public half of an Ed25519 private key: the JDK derives it when generating from a seed, so
     * the generator is handed the private key's seed as its "randomness".
     */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            KeyPair pair = g.generateKeyPair();
            byte[] derived = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
            if (!Arrays.equals(derived, seed)) {
                throw new IllegalStateException("this JVM's " + ALGORITHM + " generator does not derive keys from a seed");
            }
            return pair.getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
        }
    }

    /** A private key from a file (PEM or base64 DER) or {@code base64:<PKCS#8 DER>}. */
    public static PrivateKey readPrivate(String spec) throws IOException {
        byte[] der = der(spec, "PRIVATE KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(describe(spec) + " is not an " + ALGORITHM + " private key (PKCS#8)");
        }
    }

    /** A public key from a file (PEM or base64 DER) or {@code base64:<X.509 DER>}. */
    public static PublicKey readPublic(String spec) throws IOException {
        byte[] der = der(spec, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException(describe(spec) + " is not an " + ALGORITHM + " public key (X.509)");
        }
    }

    /** What a spec is, for messages: the file, or "an inline key" (never its content). */
    public static String describe(String spec) {
        return spec.startsWith(INLINE) ? "the inline key (" + INLINE + "...)" : spec;
    }

    private static byte[] der(String spec, String type) throws IOException {
        String text;
        if (spec.startsWith(INLINE)) {
            text = spec.substring(INLINE.length());
        } else {
            Path file = Path.of(spec);
            if (!Files.isRegularFile(file)) {
                throw new IOException("no key file " + file.toAbsolutePath());
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        }
        String body = text.replace("-----BEGIN " + type + "-----", "").replace("-----END " + type + "-----", "")
                .replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(describe(spec) + " holds no base64 " + type);
        }
    }

    /** PEM text of a key. */
    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** The public key file that goes with a private key file: {@code x.key} -> {@code x.pub}. */
    public static Path publicFileFor(Path privateKey) {
        String name = privateKey.getFileName().toString();
        String base = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
        return privateKey.resolveSibling(base + ".pub");
    }

    /**
     * Writes a new key pair: the private key readable by its owner only (mode 600 where the file
     * system has modes), the public key beside it. Refuses to replace either file.
     *
     * @return the key id
     */
    public static String write(KeyPair pair, Path privateKey, Path publicKey) throws IOException {
        for (Path p : new Path[] {privateKey, publicKey}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p + " exists; not replacing a key (move it away first)");
            }
        }
        Path dir = privateKey.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.createDirectories(publicKey.toAbsolutePath().getParent());
        Path tmpPub = publicKey.resolveSibling("." + publicKey.getFileName() + ".tmp");
        Files.writeString(tmpPub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        move(tmpPub, publicKey);
        Path tmpKey = dir.resolve("." + privateKey.getFileName() + ".tmp");
        Files.deleteIfExists(tmpKey);
        try {
            Files.createFile(tmpKey, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmpKey); // no POSIX modes here: the folder's access rules apply
        }
        Files.writeString(tmpKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.TRUNCATE_EXISTING);
        move(tmpKey, privateKey);
        return keyId(pair.getPublic());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * Creates the key pair when the private key file does not exist yet (the demo, a laptop),
     * holding a lock file beside it so two processes starting together make one pair. Refuses when
     * the public key exists without its private key (replacing it would silently change whom the
     * detectors on this host trust).
     *
     * @return the new key's id, or null when the private key already existed
     */
    public static String ensurePair(Path privateKey, Path publicKey) throws IOException {
        if (Files.exists(privateKey)) {
            return null;
        }
        Path dir = privateKey.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lookout-keys.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            if (Files.exists(privateKey)) {
                return null; // another process made it while this one waited
            }
            if (Files.exists(publicKey)) {
                throw new IOException(publicKey + " exists without its private key " + privateKey
                        + ": remove it to generate a new pair, or point lookout.models.signing-key at its key");
            }
            return write(generate(), privateKey, publicKey);
        }
    }

    /** True when a private key file can be read by others than its owner. */
    public static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
