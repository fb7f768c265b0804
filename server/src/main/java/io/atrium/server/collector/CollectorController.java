package io.atrium.server.collector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import jakarta.servlet.http.HttpServletRequest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.server.api.ApiError;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.intake.EventValidator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Segment-compatible collector: {@code POST /v1/track|identify|page|screen|group|alias|batch|import}
 * and the browser SDK's short forms. Every request is read whole, checked whole (all-or-nothing for a
 * batch) and handed to {@link EventIntake} as one durable send; 200 means the broker has every event.
 * See docs/collector.md.
 */
@RestController
public class CollectorController {

    private static final Logger log = LoggerFactory.getLogger(CollectorController.class);
    /** The answer to an accepted request, written once: Segment's {@code {"success":true}}. */
    private static final byte[] SUCCESS = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);

    private final SourceStore sources;
    private final EventValidator validator;
    private final EventIntake intake;
    private final CollectorProperties properties;
    private final ObjectMapper mapper;
    private final ObjectReader reader;
    private final MeterRegistry registry;
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public CollectorController(SourceStore sources, EventValidator validator, EventIntake intake,
                               CollectorProperties properties, ObjectMapper mapper, MeterRegistry registry) {
        this.sources = sources;
        this.validator = validator;
        this.intake = intake;
        this.properties = properties;
        this.mapper = mapper;
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.registry = registry;
    }

    @PostMapping({"/v1/track", "/v1/t"})
    public ResponseEntity<?> track(HttpServletRequest request) {
        return handle("track", "track", request);
    }

    @PostMapping({"/v1/identify", "/v1/i"})
    public ResponseEntity<?> identify(HttpServletRequest request) {
        return handle("identify", "identify", request);
    }

    @PostMapping({"/v1/page", "/v1/p"})
    public ResponseEntity<?> page(HttpServletRequest request) {
        return handle("page", "page", request);
    }

    @PostMapping({"/v1/screen", "/v1/s"})
    public ResponseEntity<?> screen(HttpServletRequest request) {
        return handle("screen", "screen", request);
    }

    @PostMapping({"/v1/group", "/v1/g"})
    public ResponseEntity<?> group(HttpServletRequest request) {
        return handle("group", "group", request);
    }

    @PostMapping({"/v1/alias", "/v1/a"})
    public ResponseEntity<?> alias(HttpServletRequest request) {
        return handle("alias", "alias", request);
    }

    @PostMapping({"/v1/batch", "/v1/b"})
    public ResponseEntity<?> batch(HttpServletRequest request) {
        return handle("batch", null, request);
    }

    /** Segment's import endpoint is a batch; the Java SDK posts to {@code /v1/import/}. */
    @PostMapping({"/v1/import", "/v1/import/"})
    public ResponseEntity<?> importBatch(HttpServletRequest request) {
        return handle("import", null, request);
    }

    /** A refusal: status, {@code {"error", "detail"}}, and headers such as Retry-After. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final HttpStatus status;
        final String code;
        final transient Object detail;
        final String reason;
        final transient HttpHeaders headers = new HttpHeaders();

        Refusal(HttpStatus status, String code, String reason, Object detail) {
            super(code, null, false, false);
            this.status = status;
            this.code = code;
            this.reason = reason;
            this.detail = detail;
        }

        Refusal header(String name, String value) {
            headers.add(name, value);
            return this;
        }
    }

    private ResponseEntity<?> handle(String endpoint, String impliedType, HttpServletRequest request) {
        Timer.Sample sample = Timer.start(registry);
        Instant receivedAt = Instant.now();
        int eventCount = 1;
        ResponseEntity<?> response;
        String reason;
        try {
            byte[] body = readBody(request);
            String headerKey = basicUser(request);
            Parsed parsed = parse(body);
            JsonNode root = parsed.root();
            if (!root.isObject()) {
                throw invalid(List.of(new EventValidator.Problem("(body)", "must be a JSON object, not " + root.getNodeType().name().toLowerCase(Locale.ROOT))));
            }
            boolean batch = impliedType == null;
            List<JsonNode> items = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            if (batch) {
                JsonNode array = root.get("batch");
                if (array != null && array.isArray()) {
                    for (int i = 0; i < array.size(); i++) {
                        items.add(array.get(i));
                        paths.add("batch[" + i + "]");
                    }
                    eventCount = Math.max(1, items.size());
                }
            } else {
                items.add(root);
                paths.add("");
            }
            Source source = authenticate(headerKey, root, items);
            if (batch) {
                JsonNode array = root.get("batch");
                if (array == null || array.isNull()) {
                    throw invalid(List.of(new EventValidator.Problem("batch", "is required: an array of events")));
                }
                if (!array.isArray()) {
                    throw invalid(List.of(new EventValidator.Problem("batch", "must be an array of events")));
                }
            }
            if (body.length > properties.getMaxEventSize().toBytes()) {
                // Only a body over the event limit can hold an event over it.
                checkEventSizes(paths, batch, batch ? parsed.itemBytes() : new long[] {body.length});
            }

            List<EventValidator.Problem> problems = new ArrayList<>();
            Instant envelopeSentAt = null;
            JsonNode envelopeContext = null;
            if (batch) {
                JsonNode sentAt = root.get("sentAt");
                if (sentAt != null && !sentAt.isNull()) {
                    envelopeSentAt = sentAt.isTextual() ? EventValidator.parseInstant(sentAt.asText()) : null;
                    if (envelopeSentAt == null) {
                        problems.add(new EventValidator.Problem("sentAt", "must be an ISO-8601 date-time such as 2025-01-31T13:45:00.000Z, not " + sentAt));
                    }
                }
                envelopeContext = root.get("context");
                if (envelopeContext != null && !envelopeContext.isNull() && !envelopeContext.isObject()) {
                    problems.add(new EventValidator.Problem("context", "must be a JSON object"));
                } else if (envelopeContext != null) {
                    EventValidator.nulCharacters(envelopeContext, "context", problems);
                }
            }
            EventValidator.Envelope envelope = new EventValidator.Envelope(receivedAt, source.id().toString(), envelopeSentAt,
                    envelopeContext != null && envelopeContext.isObject() ? envelopeContext : null);
            List<Event> events = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Event e = validator.read(items.get(i), paths.get(i), impliedType, envelope, problems);
                if (e != null) {
                    events.add(e);
                }
            }
            if (!problems.isEmpty()) {
                throw invalid(problems);
            }
            try {
                intake.submit(events);
            } catch (EventRejectedException e) {
                if (e.isTransient()) {
                    long seconds = Math.max(1, properties.getRetryAfter().toSeconds());
                    log.warn("Collector refused {} event(s) with 503: {}", events.size(), e.getMessage());
                    throw new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable", "unavailable",
                            "the event queue is unavailable, nothing was stored; retry after " + seconds + " s")
                            .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                }
                throw new Refusal(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "error", e.getMessage());
            }
            eventCount = events.size();
            reason = "ok";
            response = ResponseEntity.ok().contentType(org.springframework.http.MediaType.APPLICATION_JSON).body(SUCCESS);
        } catch (Refusal r) {
            reason = r.reason;
            response = ResponseEntity.status(r.status).headers(r.headers).body(new ApiError(r.code, r.detail));
        } catch (RuntimeException e) {
            log.error("Collector request to {} failed: {}", request.getRequestURI(), e.toString(), e);
            reason = "error";
            response = ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                    .body(new ApiError("internal_error", "the request failed, nothing was stored: " + e.getMessage()));
        }
        int status = response.getStatusCode().value();
        String result = status == 200 ? "accepted" : "rejected";
        String why = reason;
        counters.computeIfAbsent(endpoint + '|' + result + '|' + reason, k -> Counter.builder("atrium.collector.events")
                .description("Events received by the collector, by endpoint and result")
                .tag("endpoint", endpoint).tag("result", result).tag("reason", why).register(registry))
                .increment(eventCount);
        sample.stop(timers.computeIfAbsent(endpoint + '|' + status, k -> Timer.builder("atrium.collector.requests")
                .description("Collector requests, by endpoint and status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry)));
        return response;
    }

    private byte[] readBody(HttpServletRequest request) throws Refusal {
        long max = properties.getMaxRequestSize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw requestTooLarge("the body is " + declared + " bytes");
        }
        byte[] raw;
        try (InputStream in = request.getInputStream()) {
            raw = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (IOException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed", "the body could not be read: " + e.getMessage());
        }
        if (raw.length > max) {
            throw requestTooLarge("the body is larger");
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (encoding == null || encoding.isBlank() || encoding.strip().equalsIgnoreCase("identity")) {
            return raw;
        }
        if (!encoding.strip().equalsIgnoreCase("gzip") && !encoding.strip().equalsIgnoreCase("x-gzip")) {
            throw new Refusal(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "malformed",
                    "Content-Encoding '" + encoding + "' is not supported; send the body plain or gzip'd");
        }
        byte[] plain;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
            plain = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (ZipException | java.io.EOFException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed",
                    "the body says Content-Encoding: gzip but is not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed", "the body could not be decompressed: " + e.getMessage());
        }
        if (plain.length > max) {
            throw requestTooLarge("the decompressed body is larger");
        }
        return plain;
    }

    private Refusal requestTooLarge(String what) {
        return new Refusal(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "too_large",
                what + " than the " + size(properties.getMaxRequestSize().toBytes())
                        + " per request limit (atrium.collector.max-request-size); send fewer events per batch");
    }

    /**
     * Refuses the request when an event is over the per-event limit: its size is its bytes in the
     * (decompressed) body as sent, measured while parsing; for a single-event endpoint the body.
     */
    private void checkEventSizes(List<String> paths, boolean batch, long[] itemBytes) throws Refusal {
        long max = properties.getMaxEventSize().toBytes();
        List<String> over = new ArrayList<>();
        for (int i = 0; i < itemBytes.length; i++) {
            if (itemBytes[i] > max) {
                over.add((batch ? paths.get(i) + " (index " + i + ") is " : "the event is ") + itemBytes[i] + " bytes");
            }
        }
        if (!over.isEmpty()) {
            throw new Refusal(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "too_large", String.join("; ", over)
                    + ", over the " + size(max) + " per event limit (atrium.collector.max-event-size); nothing was stored");
        }
    }

    /** The body as a tree, and for a body whose {@code batch} is an array the bytes of each of its elements (else null). */
    private record Parsed(JsonNode root, long[] itemBytes) {
    }

    private Parsed parse(byte[] body) throws Refusal {
        if (body.length == 0) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed", "the body is empty; send a JSON object");
        }
        try {
            Parsed parsed = parseObject(body);
            if (parsed != null) {
                return parsed;
            }
            JsonNode root = reader.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed", "the body is empty; send a JSON object");
            }
            return new Parsed(root, null);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + " (byte " + at.getByteOffset() + ")";
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed",
                    "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST, "malformed_body", "malformed", "the body could not be read: " + e.getMessage());
        }
    }

    /**
     * A body that is a JSON object, read field by field so that each element of its {@code batch}
     * array is measured where it lies in the body (no second serialisation to size it); null when the
     * body does not start with an object, which the caller then reads (and refuses) as a whole.
     */
    private Parsed parseObject(byte[] body) throws IOException {
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode root = mapper.getNodeFactory().objectNode();
            long[] sizes = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                t = p.nextToken();
                if ("batch".equals(field) && t == JsonToken.START_ARRAY) {
                    ArrayNode array = mapper.getNodeFactory().arrayNode();
                    long[] bytes = new long[16];
                    int n = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        long start = p.currentTokenLocation().getByteOffset();
                        JsonNode item = mapper.readTree(p);
                        if (n == bytes.length) {
                            bytes = java.util.Arrays.copyOf(bytes, n * 2);
                        }
                        bytes[n++] = p.currentLocation().getByteOffset() - start;
                        array.add(item);
                    }
                    root.set(field, array);
                    sizes = java.util.Arrays.copyOf(bytes, n);
                } else {
                    root.set(field, mapper.readTree(p));
                    if ("batch".equals(field)) {
                        sizes = null; // a later "batch" that is not an array replaces the array
                    }
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new JsonParseException(p, "unexpected token " + t + " in the body's object");
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "Trailing token (of type " + p.currentToken() + ") found after the body's JSON object");
            }
            return new Parsed(root, sizes);
        }
    }

    /** The user name of {@code Authorization: Basic}, or null. */
    private static String basicUser(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        return user.isEmpty() ? null : user;
    }

    private Source authenticate(String headerKey, JsonNode root, List<JsonNode> items) throws Refusal {
        String key = headerKey;
        if (key == null) {
            key = textOf(root.get("writeKey"));
        }
        if (key == null) {
            // A browser batch may carry the key only inside its events.
            for (JsonNode item : items) {
                key = item != null && item.isObject() ? textOf(item.get("writeKey")) : null;
                if (key != null) {
                    break;
                }
            }
        }
        if (key == null) {
            throw unauthorized("no write key: send it as the HTTP Basic user name (empty password) or as \"writeKey\" in the body");
        }
        java.util.Optional<Source> source;
        try {
            source = sources.authenticate(key);
        } catch (org.springframework.dao.DataAccessException e) {
            long seconds = Math.max(1, properties.getRetryAfter().toSeconds());
            log.warn("Collector cannot check a write key, answering 503: {}", e.getMessage());
            throw new Refusal(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable", "unavailable",
                    "the database is unavailable, so the write key cannot be checked; nothing was stored; retry after " + seconds + " s")
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        return source.orElseThrow(() -> unauthorized("unknown or revoked write key"));
    }

    private static Refusal unauthorized(String detail) {
        return new Refusal(HttpStatus.UNAUTHORIZED, "unauthorized", "unauthorized", detail)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"atrium collector\"");
    }

    private static String textOf(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static Refusal invalid(List<EventValidator.Problem> problems) {
        EventValidator.Problem first = problems.get(0);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("field", first.field());
        detail.put("message", first.message() + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s))" : "")
                + "; nothing was stored");
        detail.put("problems", problems);
        return new Refusal(HttpStatus.BAD_REQUEST, "invalid_event", "invalid", detail);
    }

    private static String size(long bytes) {
        return bytes % 1024 == 0 ? (bytes / 1024) + " KB" : bytes + " bytes";
    }
}
