package lookout.camera;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificate checks for TLS cameras ({@code https://}, {@code rtsps://}) when
 * {@code lookout.camera.tls-ca-file} names the CA certificates to trust. FFmpeg is told to verify
 * too ({@code tls_verify}, {@code ca_file}), but only its HTTP client passes those options down to
 * TLS; its RTSP client opens {@code tls://} without them, and its OpenSSL backend does not check the
 * host name. So before FFmpeg connects, this class makes a TLS handshake of its own to the same host
 * and port, with the configured CAs and the host name checked as HTTPS does, and refuses the source
 * when the camera's certificate does not pass. It is a check of the server the name leads to at that
 * moment, not of FFmpeg's own connection a moment later.
 */
final class CameraTls {
    private static final Pattern IP = Pattern.compile("[0-9.]+|\\[?[0-9A-Fa-f:]+]?");

    private CameraTls() {
    }

    /** True for the schemes that run over TLS. */
    static boolean tls(String source) {
        String s = source.toLowerCase(Locale.ROOT);
        return s.startsWith("https://") || s.startsWith("rtsps://") || s.startsWith("tls://");
    }

    /**
     * Handshakes with the source's host and port and checks its certificate chain against the CA
     * file and its name against the host.
     *
     * @throws SourceException saying why the camera is not trusted (never with the URL's credentials)
     */
    static void verify(String source, Path caFile, Duration timeout) throws SourceException {
        String host;
        int port;
        String body = source.substring(source.indexOf("://") + 3);
        String afterUser = body.substring(body.lastIndexOf('@') + 1);
        int end = 0;
        while (end < afterUser.length() && "/?#".indexOf(afterUser.charAt(end)) < 0) {
            end++;
        }
        String authority = afterUser.substring(0, end);
        int colon = authority.lastIndexOf(':');
        boolean bracketed = authority.startsWith("[");
        if (colon > 0 && (!bracketed || authority.lastIndexOf(']') < colon)) {
            host = authority.substring(0, colon);
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new SourceException("cannot check the TLS certificate: no port number in " + authority);
            }
        } else {
            host = authority;
            port = source.toLowerCase(Locale.ROOT).startsWith("rtsps") ? 322 : 443;
        }
        host = host.replace("[", "").replace("]", "");
        SSLContext context = context(caFile);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            if (!IP.matcher(host).matches()) {
                params.setServerNames(List.of(new SNIHostName(host)));
            }
            socket.setSSLParameters(params);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
            throw new SourceException("TLS certificate of " + host + ":" + port + " not trusted with lookout.camera.tls-ca-file "
                    + caFile + ": " + rootMessage(e));
        } catch (IOException e) {
            throw new SourceException("cannot check the TLS certificate of " + host + ":" + port + ": " + rootMessage(e));
        }
    }

    private static SSLContext context(Path caFile) throws SourceException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new SourceException("lookout.camera.tls-ca-file " + caFile + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new SourceException("cannot read lookout.camera.tls-ca-file " + caFile + ": " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
