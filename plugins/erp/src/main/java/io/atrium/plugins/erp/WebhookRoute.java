package io.atrium.plugins.erp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ERP's webhook: {@code POST <webhook.path>} (default {@code /hooks/erp}) on the hub's HTTP
 * port with a JSON body, one record or an array of them (or, with {@code webhook.records-field},
 * found under that field). A body is taken all or nothing, so the ERP can simply send it again:
 * <ul>
 *   <li>202 {@code {"accepted": n, "skipped": m}} once the events are in the hub's durable queue;</li>
 *   <li>400 naming the record and the field when the body is not JSON or a record cannot be mapped
 *       (nothing is stored);</li>
 *   <li>401 when the token is missing or wrong;</li>
 *   <li>503 with {@code Retry-After} when the hub cannot store events right now (nothing is stored).</li>
 * </ul>
 * The token is accepted as {@code Authorization: Bearer <token>}, as header {@code X-Webhook-Token}
 * or as the query parameter {@code token}.
 */
final class WebhookRoute extends RouteBuilder {

    static final String ROUTE_ID = "erp-webhook";
    static final String TOKEN_HEADER = "X-Webhook-Token";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookRoute.class);

    private final ErpSettings.Webhook settings;
    private final byte[] token;
    private final Mapping mapping;
    private final EventSink sink;

    WebhookRoute(ErpSettings.Webhook settings, Mapping mapping, EventSink sink) {
        this.settings = settings;
        this.token = settings.token().getBytes(StandardCharsets.UTF_8);
        this.mapping = mapping;
        this.sink = sink;
    }

    @Override
    public void configure() {
        from("platform-http:" + settings.path() + "?httpMethodRestrict=POST").routeId(ROUTE_ID).process(this::process);
    }

    void process(Exchange exchange) {
        org.apache.camel.Message in = exchange.getIn();
        boolean authorized = matches(bearer(in.getHeader("Authorization", String.class)))
                || matches(in.getHeader(TOKEN_HEADER, String.class))
                || matches(in.getHeader("token", String.class));
        byte[] body = authorized ? in.getBody(byte[].class) : null;
        // None of the request's headers (the token among them) go back in the response.
        in.removeHeaders("*");
        if (!authorized) {
            in.setHeader("WWW-Authenticate", "Bearer realm=\"atrium-erp\"");
            respond(exchange, 401, Map.of("error", "unauthorized", "detail", "missing or wrong webhook token"));
            return;
        }
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? null : JsonRecords.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            badRequest(exchange, "(body)", null, "is not JSON: " + e.getOriginalMessage(), List.of());
            return;
        } catch (java.io.IOException e) {
            badRequest(exchange, "(body)", null, "could not be read: " + e.getMessage(), List.of());
            return;
        }
        if (root == null || root.isMissingNode()) {
            badRequest(exchange, "(body)", null, "is empty: send one JSON object or an array of them", List.of());
            return;
        }
        if (settings.recordsField() != null) {
            JsonNode n = root;
            for (String part : settings.recordsField().split("\\.")) {
                n = n.isObject() ? n.get(part) : null;
                if (n == null) {
                    break;
                }
            }
            if (n == null || !(n.isObject() || n.isArray())) {
                badRequest(exchange, settings.recordsField(), null, "is missing or not an object or array (webhook.records-field "
                        + "says the records are there)", List.of());
                return;
            }
            root = n;
        }
        if (!root.isObject() && !root.isArray()) {
            badRequest(exchange, "(body)", null, "must be a JSON object or an array of objects, not " + JsonRecords.kind(root),
                    List.of());
            return;
        }

        List<Event> events = new ArrayList<>();
        List<RecordProblem> problems = new ArrayList<>();
        int[] skipped = {0};
        JsonRecords.fromBody(root, ErpConfig.WEBHOOK, new RecordReader.Sink() {
            @Override
            public void record(Record record) {
                Mapping.Result r = mapping.map(record, ErpConfig.WEBHOOK);
                if (r.skipped()) {
                    skipped[0]++;
                } else if (r.ok()) {
                    events.add(r.event());
                } else {
                    problems.addAll(r.problems());
                }
            }

            @Override
            public void badRecord(RecordProblem problem) {
                problems.add(problem);
            }

            @Override
            public void fileProblem(RecordProblem problem) {
                problems.add(problem);
            }
        });
        if (!problems.isEmpty()) {
            RecordProblem first = problems.get(0);
            badRequest(exchange, first.field(), first.position().row(), first.message(), problems);
            return;
        }
        try {
            if (!events.isEmpty()) {
                sink.submit(events);
            }
        } catch (EventRejectedException e) {
            if (e.isTransient()) {
                LOG.warn("erp: webhook: the hub cannot store events right now ({}); answering 503", e.getMessage());
                exchange.getMessage().setHeader("Retry-After", "30");
                respond(exchange, 503, Map.of("error", "unavailable", "detail",
                        "the hub cannot store events right now; nothing was stored, send again later"));
            } else {
                badRequest(exchange, null, null, "the hub refused the events: " + e.getMessage(), List.of());
            }
            return;
        } catch (RuntimeException e) {
            LOG.warn("erp: webhook: the hub could not take the events ({}); answering 503", e.toString());
            exchange.getMessage().setHeader("Retry-After", "30");
            respond(exchange, 503, Map.of("error", "unavailable", "detail",
                    "the hub could not store the events; nothing was stored, send again later"));
            return;
        }
        respond(exchange, 202, Map.of("accepted", events.size(), "skipped", skipped[0]));
    }

    private void badRequest(Exchange exchange, String field, Long record, String message, List<RecordProblem> all) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (record != null && record >= 0) {
            detail.put("record", record);
        }
        detail.put("field", field);
        detail.put("message", message);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("error", "bad_request");
        answer.put("detail", detail);
        if (all.size() > 1) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (RecordProblem p : all.subList(0, Math.min(100, all.size()))) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("record", p.position().row());
                m.put("field", p.field());
                m.put("message", p.message());
                list.add(m);
            }
            answer.put("problems", list);
        }
        respond(exchange, 400, answer);
    }

    private boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }

    private static void respond(Exchange exchange, int code, Map<String, ?> json) {
        org.apache.camel.Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JsonRecords.MAPPER.writeValueAsString(json));
        } catch (JsonProcessingException e) {
            out.setBody("{\"error\":\"internal\"}");
        }
    }
}
