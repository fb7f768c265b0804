package io.atrium.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;

/**
 * Requests the web server refuses before any endpoint sees them answer in the API's error shape,
 * with the status the server chose. Sent over a raw socket: no HTTP client sends such requests.
 */
class ServerErrorsIT extends HubTestSupport {

    /** One answer as it came over the wire. */
    private record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json(ServerErrorsIT test) {
            return test.readJson(body);
        }
    }

    private Answer raw(String requestLine, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(requestLine).append("\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            s.getInputStream().transferTo(got);
            String text = got.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("a whole HTTP answer: " + text).isPositive();
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> head = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                head.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            assertThat(head).as("what Tomcat and the firewall answer has its length").doesNotContainKey("transfer-encoding");
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), head, text.substring(end + 4));
        }
    }

    private JsonNode refused(Answer a, int status, String error, String detail) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.headers().get("content-type")).as(a.body()).startsWith("application/json");
        JsonNode json = a.json(this);
        assertThat(json.path("error").asText()).as(a.body()).isEqualTo(error);
        assertThat(json.path("detail").asText()).as(a.body()).contains(detail);
        assertThat(a.body()).doesNotContain("<html", "Tomcat");
        return json;
    }

    @Test
    void requestsTomcatCannotParseAreAnsweredInTheApisShape() throws IOException {
        refused(raw("GET /api/v1/profiles/email/%zz HTTP/1.1", "Host: hub"), 400, "bad_request",
                "Invalid URI: [The hexadecimal encoding is invalid]");
        refused(raw("GET /console/%zz HTTP/1.1", "Host: hub"), 400, "bad_request", "Invalid URI");
        refused(raw("GET /api/v1/profiles/email/a{b} HTTP/1.1", "Host: hub"), 400, "bad_request",
                "Invalid character found in the request target [/api/v1/profiles/email/a{b} ]");
        refused(raw("GET /api/v1/me HTTP/1.1 and more", "Host: hub"), 400, "bad_request",
                "Invalid character found in the HTTP protocol");
        refused(raw("G@T /api/v1/me HTTP/1.1", "Host: hub"), 400, "bad_request", "Invalid character found in method name [G@T ]");
        refused(raw("GET /api/v1/me HTTP/9.9", "Host: hub"), 505, "http_version_not_supported", "HTTP Version not supported");
        refused(raw("GET /api/v1/me HTTP/1.1", "Host: hub", "X-Big: " + "x".repeat(10_000)), 400, "bad_request",
                "Request header is too large");
        refused(raw("GET /api/v1/me HTTP/1.1", "Host: hub", "Bad Header: y"), 400, "bad_request",
                "The HTTP header line [bad Header: y] does not conform to RFC 7230");
        refused(raw("GET /api/v1/me HTTP/1.1"), 400, "bad_request", "Bad Request");
    }

    @Test
    void refusalsByTheFirewallAndTheErrorPageAreInTheApisShapeOnEveryPath() throws IOException {
        // Refused by the firewall outside /api/ too (it used to be the error page's own JSON there).
        refused(raw("GET /console/..;/x HTTP/1.1", "Host: hub"), 400, "bad_request", "the request path was refused");
        refused(raw("GET /js/a%2Fb.js HTTP/1.1", "Host: hub"), 400, "bad_request", "the request path was refused");
        // The container's error page itself, asked for directly, is nothing.
        java.net.http.HttpResponse<String> page = get("/error");
        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(readJson(page.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(readJson(page.body()).path("detail").asText()).isEqualTo("no such resource: /error");
    }
}
