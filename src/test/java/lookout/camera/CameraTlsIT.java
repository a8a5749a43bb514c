package lookout.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import lookout.testing.TestTls;

/**
 * TLS cameras with {@code lookout.camera.tls-ca-file}: an HTTPS camera on loopback whose certificate
 * (CN/SAN localhost, 127.0.0.1) is signed by a CA generated at test time. Trusted with that CA, it
 * streams through FFmpeg; with another CA, or reached under a name its certificate does not carry,
 * it is refused before FFmpeg connects.
 */
class CameraTlsIT {
    @TempDir
    static Path dir;
    private static HttpsServer server;
    private static HttpsServer otherName;
    private static Path ca;
    private static Path otherCa;

    private static HttpsServer serve(String host, TestTls tls, byte[] body) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(tls.keystore().toFile())) {
            ks.load(in, tls.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, tls.password().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(context));
        s.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // the client hung up
            }
        });
        s.start();
        return s;
    }

    @BeforeAll
    static void start() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Path other = Files.createDirectories(dir.resolve("other"));
        TestTls tls = TestTls.generate(mine);
        TestTls.generate(other);
        ca = mine.resolve("ca.pem");
        otherCa = other.resolve("ca.pem");
        byte[] clip = Files.readAllBytes(TestMedia.clip(40, "libx264", "ts"));
        server = serve("127.0.0.1", tls, clip);
        otherName = serve("127.0.0.2", tls, clip); // a loopback address the certificate does not name
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (otherName != null) {
            otherName.stop(0);
        }
    }

    private static String url(HttpsServer s, String host) {
        return "https://viewer:pw@" + host + ":" + s.getAddress().getPort() + "/clip.ts?token=t";
    }

    @Test
    void shouldStreamFromACameraWhoseCertificateChainsToTheConfiguredCa() throws Exception {
        try (FfmpegSource source = FfmpegSource.open(url(server, "127.0.0.1"), SourceKind.STREAM, Duration.ofSeconds(5), ca)) {
            assertThat(source.grab()).isNotNull();
        }
        CameraTls.verify(url(server, "localhost"), ca, Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseACameraSignedByAnotherCaBeforeFfmpegConnects() {
        assertThatThrownBy(() -> FfmpegSource.open(url(server, "127.0.0.1"), SourceKind.STREAM, Duration.ofSeconds(5),
                otherCa)).isInstanceOf(SourceException.class).hasMessageContaining("not trusted")
                .hasMessageNotContaining("pw@");
    }

    @Test
    void shouldRefuseACameraReachedUnderANameItsCertificateDoesNotCarry() {
        assertThatThrownBy(() -> CameraTls.verify(url(otherName, "127.0.0.2"), ca, Duration.ofSeconds(5)))
                .isInstanceOf(SourceException.class).hasMessageContaining("not trusted");
    }

    @Test
    void shouldNotVerifyWithoutACaFileAsBefore() throws Exception {
        try (FfmpegSource source = FfmpegSource.open(url(server, "127.0.0.1"), SourceKind.STREAM, Duration.ofSeconds(5),
                null)) {
            assertThat(source.grab()).isNotNull();
        }
    }
}
