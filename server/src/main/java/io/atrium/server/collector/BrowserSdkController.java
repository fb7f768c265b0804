package io.atrium.server.collector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.atrium.server.api.ApiError;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The settings browser SDKs fetch before they send anything, answered so that they send to this hub:
 * Segment's analytics-next ({@code GET /v1/projects/{writeKey}/settings}) and RudderStack's
 * analytics-js ({@code GET /sourceConfig/?writeKey=...}).
 */
@RestController
public class BrowserSdkController {

    private final SourceStore sources;

    public BrowserSdkController(SourceStore sources) {
        this.sources = sources;
    }

    @GetMapping("/v1/projects/{writeKey}/settings")
    public ResponseEntity<?> segmentSettings(@PathVariable String writeKey, HttpServletRequest request) {
        if (sources.authenticate(writeKey).isEmpty()) {
            return unauthorized();
        }
        Map<String, Object> segmentIo = new LinkedHashMap<>();
        segmentIo.put("apiKey", writeKey);
        segmentIo.put("apiHost", hostOf(request) + "/v1");
        segmentIo.put("protocol", request.getScheme());
        segmentIo.put("unbundledIntegrations", List.of());
        segmentIo.put("addBundledMetadata", true);
        segmentIo.put("maybeBundledConfigIds", Map.of());
        Map<String, Object> enabled = Map.of("__default", Map.of("enabled", true, "integrations", Map.of()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("integrations", Map.of("Segment.io", segmentIo));
        answer.put("plan", Map.of("track", enabled, "identify", Map.of("__default", Map.of("enabled", true)),
                "group", Map.of("__default", Map.of("enabled", true))));
        answer.put("edgeFunction", Map.of());
        answer.put("analyticsNextEnabled", true);
        answer.put("middlewareSettings", Map.of());
        answer.put("enabledMiddleware", Map.of());
        // No metrics to Segment's own servers: everything stays on this hub.
        answer.put("metrics", Map.of("sampleRate", 0));
        answer.put("legacyVideoPluginsEnabled", false);
        answer.put("remotePlugins", List.of());
        return ResponseEntity.ok(answer);
    }

    @GetMapping({"/sourceConfig", "/sourceConfig/"})
    public ResponseEntity<?> rudderSourceConfig(@RequestParam(name = "writeKey", required = false) String writeKey,
                                                HttpServletRequest request) {
        String key = writeKey != null && !writeKey.isEmpty() ? writeKey : basicUser(request);
        var found = sources.authenticate(key);
        if (found.isEmpty()) {
            return unauthorized();
        }
        Source source = found.get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", source.id().toString());
        body.put("name", source.name());
        body.put("writeKey", source.writeKey());
        body.put("enabled", true);
        body.put("workspaceId", "atrium");
        body.put("config", Map.of());
        body.put("destinations", List.of());
        return ResponseEntity.ok(Map.of("isHosted", false, "source", body));
    }

    private static ResponseEntity<ApiError> unauthorized() {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"atrium collector\"")
                .body(new ApiError("unauthorized", "unknown or revoked write key"));
    }

    /** host[:port] the browser used to reach us. */
    private static String hostOf(HttpServletRequest request) {
        String host = request.getHeader(HttpHeaders.HOST);
        if (host != null && !host.isBlank()) {
            return host.strip();
        }
        return request.getServerName() + ":" + request.getServerPort();
    }

    private static String basicUser(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(header.substring(6).strip()),
                    java.nio.charset.StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? decoded : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
