package lookout.common;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of everything people read: log lines, exception messages, status lines,
 * events, metric labels. Two layers, both applied by {@link #text}:
 *
 * <ol>
 * <li>Structure: every URL in the text is parsed and its user info (the password, and the whole of
 * it when it has no user name), the values of credential query keys ({@code ?user=..&pwd=..},
 * {@code token}, {@code apikey}, {@code signature}...) and path segments that look like tokens are
 * replaced by {@value #MASK}. So are {@code key=value} pairs with a credential key outside URLs (an
 * HTTP request line prints only path and query) and the value of {@code Authorization:} headers.</li>
 * <li>Known secrets: every password, token and credential value of a configured camera source and
 * every value substituted from the environment or a secret file ({@link #remember}) is masked
 * wherever it appears, also outside any URL, percent-encoded or decoded, and as HTTP Basic
 * {@code user:password} in base64. This catches what no parser can see, such as a password with a
 * space that cuts the URL short in a log line.</li>
 * </ol>
 * Values shorter than {@value #MIN_SECRET} characters are not remembered (masking "1" everywhere
 * would wreck every line); the structural layer still masks them inside URLs.
 */
public final class Redact {
    public static final String MASK = "***";
    /** Shorter known secrets are only masked where the URL structure shows them. */
    public static final int MIN_SECRET = 4;

    /** Query or parameter names whose values are credentials (compared lower-case, '-' and '_' ignored). */
    private static final Set<String> CREDENTIAL_KEYS = Set.of("user", "username", "usr", "login", "pwd", "passwd",
            "password", "pass", "pw", "token", "accesstoken", "refreshtoken", "idtoken", "auth", "authorization",
            "authtoken", "key", "apikey", "secret", "clientsecret", "signature", "sig", "credential", "credentials",
            "xamzsignature", "xamzcredential", "xamzsecuritytoken", "sessionid", "jwt", "privatetoken", "accesskey",
            "secretkey");
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,31}://");
    /** The longest user info parsed as one. */
    private static final int MAX_USER_INFO = 4096;
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._~-]+)(:\\d{0,5})?");
    private static final Pattern AUTH_HEADER = Pattern.compile(
            "(?i)((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token)(\\s*[:=]\\s*)[^\\r\\n\"]*");
    private static final Pattern TOKEN_CHARS = Pattern.compile("[A-Za-z0-9._~+=-]+");
    private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f-]{16,}");

    /** Known secrets, longest first (so a secret that contains another is masked whole). */
    private static final List<String> SECRETS = new CopyOnWriteArrayList<>();

    private Redact() {
    }

    /**
     * Remembers a credential so that {@link #text} masks it wherever it appears: the value itself,
     * its percent-encoded and percent-decoded forms.
     */
    public static void remember(String secret) {
        if (secret == null || secret.length() < MIN_SECRET) {
            return;
        }
        List<String> forms = new ArrayList<>(List.of(secret, URLEncoder.encode(secret, StandardCharsets.UTF_8),
                URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20")));
        String decoded = decode(secret);
        if (decoded != null) {
            forms.add(decoded);
        }
        synchronized (SECRETS) {
            for (String f : forms) {
                if (f.length() >= MIN_SECRET && !SECRETS.contains(f)) {
                    SECRETS.add(f);
                }
            }
            List<String> sorted = new ArrayList<>(SECRETS);
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            SECRETS.clear();
            SECRETS.addAll(sorted);
        }
    }

    /**
     * Remembers every credential a source string carries (see {@link #secretsOf}), and the HTTP Basic
     * form {@code base64(user:password)} a client sends for it.
     */
    public static void rememberSource(String source) {
        for (String s : secretsOf(source)) {
            remember(s);
        }
        Url u = Url.parse(source, 0, source == null ? 0 : source.length());
        if (u != null && u.userInfo != null) {
            for (String info : new String[] {u.userInfo, decode(u.userInfo)}) {
                if (info != null && !info.isEmpty()) {
                    String basic = info.indexOf(':') >= 0 ? info : info + ":"; // a token alone as user: "token:"
                    remember(Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /** The credentials in a source string: the password of its user info, credential query values, token-like path segments. */
    public static List<String> secretsOf(String source) {
        List<String> out = new ArrayList<>();
        if (source == null) {
            return out;
        }
        Matcher m = SCHEME.matcher(source);
        if (!m.find()) {
            return out;
        }
        Url u = Url.parse(source, m.start(), source.length());
        if (u == null) {
            return out;
        }
        if (u.userInfo != null) {
            int colon = u.userInfo.indexOf(':');
            out.add(colon < 0 ? u.userInfo : u.userInfo.substring(colon + 1));
        }
        for (String segment : u.path.split("/")) {
            if (looksLikeToken(segment)) {
                out.add(segment);
            }
        }
        out.addAll(credentialValues(u.query == null ? "" : u.query));
        return out;
    }

    /** One URL (or a file path, returned as it is) fit for a log line. */
    public static String url(String url) {
        return text(url);
    }

    /** Any text with every credential masked: the two layers above. Null stays null. */
    public static String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = maskKnown(text);
        out = urls(out);
        out = AUTH_HEADER.matcher(out).replaceAll("$1$2" + MASK);
        out = pairs(out);
        return maskKnown(out);
    }

    /**
     * A copy of an exception chain whose messages are redacted, with the original stack traces: for
     * a cause kept inside an exception that may be logged with its trace.
     */
    public static Throwable throwable(Throwable t) {
        if (t == null) {
            return null;
        }
        RedactedException copy = new RedactedException(t.getClass().getName()
                + (t.getMessage() == null ? "" : ": " + text(t.getMessage())), throwable(t.getCause() == t ? null : t.getCause()));
        copy.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            copy.addSuppressed(throwable(s));
        }
        return copy;
    }

    /** Stands for a redacted exception of another type in a chain (its message names the original type). */
    public static final class RedactedException extends RuntimeException {
        RedactedException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    private static String maskKnown(String text) {
        String out = text;
        for (String s : SECRETS) {
            if (out.contains(s)) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }

    /** Every URL in the text, with its user info, credential query values and token-like segments masked. */
    private static String urls(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        // linear: find each "://", then walk back over the scheme (a regex find would be quadratic on
        // a long run of letters, such as a hostile 5 MB camera name quoted in an error)
        for (int sep = text.indexOf("://", at); sep >= 0; sep = text.indexOf("://", Math.max(sep + 3, at))) {
            int start = sep;
            while (start > at && sep - start < MAX_SCHEME && schemeChar(text.charAt(start - 1))) {
                start--;
            }
            while (start < sep && !Character.isLetter(text.charAt(start))) {
                start++; // a scheme starts with a letter
            }
            if (start == sep) {
                continue;
            }
            int end = urlEnd(text, sep + 3);
            out.append(text, at, start);
            Url u = Url.parse(text, start, end);
            out.append(u == null ? text.substring(start, end) : u.redacted());
            at = end;
        }
        out.append(text.substring(at));
        return out.toString();
    }

    private static final int MAX_SCHEME = 32;

    private static boolean schemeChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-');
    }

    /** Where a URL inside free text ends: whitespace, a quote or an angle bracket. */
    private static int urlEnd(String text, int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`') {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * {@code key=value} pairs whose key is a credential key, value masked. Linear: each '=' is looked
     * at once, its key read backwards (at most 41 characters, starting after a delimiter).
     */
    private static String pairs(String text) {
        StringBuilder out = null;
        int copied = 0;
        for (int eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
            int k = eq;
            while (k > 0 && eq - k <= 41 && keyChar(text.charAt(k - 1))) {
                k--;
            }
            if (k == eq || (k > 0 && !pairBoundary(text.charAt(k - 1))) || !Character.isLetter(text.charAt(k))) {
                continue;
            }
            int v = eq + 1;
            while (v < text.length() && VALUE_END.indexOf(text.charAt(v)) < 0 && !Character.isWhitespace(text.charAt(v))) {
                v++;
            }
            String value = text.substring(eq + 1, v);
            if (value.isEmpty() || value.equals(MASK) || !credentialKey(text.substring(k, eq))) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, eq + 1).append(MASK);
            copied = v;
            eq = v - 1;
        }
        if (out == null) {
            return text;
        }
        return out.append(text.substring(copied)).toString();
    }

    /** Characters that end a value of a key=value pair. */
    private static final String VALUE_END = "&;,\"')]}#";

    private static boolean keyChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
    }

    private static boolean pairBoundary(char c) {
        return c == '?' || c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' || c == '(' || c == '['
                || c == '{' || Character.isWhitespace(c);
    }

    /** The values of credential pairs in a query string. */
    private static List<String> credentialValues(String query) {
        List<String> out = new ArrayList<>();
        for (String pair : query.split("[&;]")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && eq < pair.length() - 1 && credentialKey(pair.substring(0, eq))) {
                out.add(pair.substring(eq + 1));
            }
        }
        return out;
    }

    static boolean credentialKey(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
        return CREDENTIAL_KEYS.contains(k);
    }

    /**
     * A path segment that is most likely a secret: 20 or more token characters mixing at least four
     * letters and four digits, or 16 or more hex digits with both digits and letters (an API key, a
     * UUID). Camera paths such as {@code h264Preview_01_main} or {@code stream1} stay readable.
     */
    static boolean looksLikeToken(String segment) {
        if (segment.length() < 16 || !TOKEN_CHARS.matcher(segment).matches()) {
            return false;
        }
        int letters = 0;
        int digits = 0;
        for (char c : segment.toCharArray()) {
            if (Character.isDigit(c)) {
                digits++;
            } else if (Character.isLetter(c)) {
                letters++;
            }
        }
        if (HEX.matcher(segment).matches() && digits > 0 && letters > 0) {
            return true;
        }
        return segment.length() >= 20 && letters >= 4 && digits >= 4;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return null;
        }
        try {
            String d = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            return d.equals(s) ? null : d;
        } catch (IllegalArgumentException e) {
            return null; // not valid percent-encoding (a literal '%' in a password): the raw form is masked
        }
    }

    /** A URL cut into the parts that may carry credentials. */
    private static final class Url {
        final String scheme; // with "://"
        final String userInfo; // null when none
        final String host;
        final String path; // from the first '/' after the host, without query and fragment
        final String query; // without '?'; null when there is none
        final String rest; // '#fragment', may be empty

        private Url(String scheme, String userInfo, String host, String path, String query, String rest) {
            this.scheme = scheme;
            this.userInfo = userInfo;
            this.host = host;
            this.path = path;
            this.query = query;
            this.rest = rest;
        }

        /**
         * Parses text[start, end) as scheme://[userinfo@]host[:port][/path][?query][#fragment]. The user
         * info runs to the LAST '@' that is followed by something shaped like a host, so a password
         * holding '@', ':', '/', '?' or '#' is still taken whole (FFmpeg splits the same way).
         */
        static Url parse(String text, int start, int end) {
            if (text == null) {
                return null;
            }
            int sep = text.indexOf("://", start);
            if (sep < 0 || sep >= end || sep == start) {
                return null;
            }
            String scheme = text.substring(start, sep + 3);
            int bodyStart = sep + 3;
            String userInfo = null;
            int hostStart = bodyStart;
            // user info longer than this is no credential a camera takes (FFmpeg's buffer is 1 KiB);
            // the bound keeps a line full of '@' linear
            int searchEnd = Math.min(end, bodyStart + MAX_USER_INFO);
            int tried = 0;
            for (int at = text.lastIndexOf('@', searchEnd - 1); at >= bodyStart && tried < 64; at = text.lastIndexOf('@', at - 1)) {
                tried++;
                int hostEnd = at + 1;
                while (hostEnd < end && "/?#".indexOf(text.charAt(hostEnd)) < 0 && hostEnd - at < 300) {
                    hostEnd++;
                }
                if (HOST.matcher(text).region(at + 1, hostEnd).matches()) {
                    userInfo = text.substring(bodyStart, at);
                    hostStart = at + 1;
                    break;
                }
            }
            String body = text.substring(hostStart, end);
            int hostEnd = firstOf(body, "/?#");
            String host = body.substring(0, hostEnd);
            String tail = body.substring(hostEnd);
            int hash = tail.indexOf('#');
            String rest = hash < 0 ? "" : tail.substring(hash);
            String beforeHash = hash < 0 ? tail : tail.substring(0, hash);
            int q = beforeHash.indexOf('?');
            String path = q < 0 ? beforeHash : beforeHash.substring(0, q);
            String query = q < 0 ? "" : beforeHash.substring(q + 1);
            return new Url(scheme, userInfo, host, path, q < 0 ? null : query, rest);
        }

        String redacted() {
            StringBuilder out = new StringBuilder(scheme);
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                if (colon > 0 && !looksLikeToken(userInfo.substring(0, colon))) {
                    out.append(userInfo, 0, colon).append(':').append(MASK).append('@');
                } else {
                    out.append(MASK).append('@'); // a token alone as user info, or no user name
                }
            }
            out.append(host);
            String[] segments = path.split("/", -1);
            boolean next = false;
            for (int i = 0; i < segments.length; i++) {
                if (i > 0) {
                    out.append('/');
                }
                String s = segments[i];
                boolean token = next || looksLikeToken(s);
                next = credentialKey(s.isEmpty() ? "-" : s);
                out.append(token && !s.isEmpty() ? MASK : s);
            }
            if (query != null) {
                out.append('?').append(pairs(query));
            }
            out.append(rest.isEmpty() ? "" : "#" + pairs(rest.substring(1)));
            return out.toString();
        }
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
