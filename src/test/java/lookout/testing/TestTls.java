package lookout.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority, a broker key store signed by it (CN and SAN localhost, 127.0.0.1) and a
 * trust store holding the CA, generated with the JDK's own {@code keytool} at test time: nothing
 * secret is committed, and the files are as an operator's PKI would hand them out (PKCS12).
 *
 * @param keystore   the broker's key and certificate chain
 * @param truststore the CA certificate clients trust
 * @param password   of both stores
 */
public record TestTls(Path keystore, Path truststore, String password) {

    public static TestTls generate(Path dir) throws IOException, InterruptedException {
        String pw = "lookout-test-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path trust = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=lookout-test-ca", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-ext", "bc:c", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool("-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-rfc", "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", pw, "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-infile", csr.toString(),
                "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", "san=dns:localhost,ip:127.0.0.1");
        keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", broker.toString(), "-storepass", pw,
                "-noprompt");
        keytool("-importcert", "-alias", "broker", "-file", signed.toString(), "-keystore", broker.toString(),
                "-storepass", pw);
        keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", trust.toString(), "-storetype",
                "PKCS12", "-storepass", pw, "-noprompt");
        return new TestTls(broker, trust, pw);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }
}
