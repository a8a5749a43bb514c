package lookout.testing;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.common.Json;

/** The app's login form, filled in a real browser: for page tests behind the login. */
public final class LoginForm {
    private LoginForm() {
    }

    /** Waits for the form the browser was sent to, logs in and waits until it shows {@code pathAndQuery}. */
    public static void logIn(Chromium chromium, String user, String password, String pathAndQuery) throws Exception {
        waitForPage(chromium, "/login");
        chromium.evaluate("(() => { document.getElementById('j_username').value = " + Json.MAPPER.writeValueAsString(user)
                + "; document.getElementById('j_password').value = " + Json.MAPPER.writeValueAsString(password)
                + "; document.getElementById('login').submit(); return true; })()");
        waitForPage(chromium, pathAndQuery);
    }

    /** Waits until the browser shows this path (+ query) and has loaded it. */
    public static JsonNode waitForPage(Chromium chromium, String pathAndQuery) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = chromium.evaluate("({path: location.pathname, search: location.search, ready: document.readyState})");
            } catch (IllegalStateException e) {
                last = null; // navigating: the old page's context is gone
            }
            if (last != null && (last.get("path").asText() + last.get("search").asText()).equals(pathAndQuery)
                    && "complete".equals(last.get("ready").asText())) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the browser did not show " + pathAndQuery + " within 30 s; it shows " + last);
    }
}
