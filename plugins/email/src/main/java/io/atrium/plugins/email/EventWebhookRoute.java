package io.atrium.plugins.email;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.StatusUpdate;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the provider's event webhook (bounce-mode webhook) at {@code POST /hooks/email/events}
 * on the hub's HTTP port. The caller proves itself with {@code webhook-token}, as the query
 * parameter {@code token} or as the password of HTTP Basic auth; anything else is 401. A body
 * that is not a JSON array of events is 400 with the reason; a status the hub cannot record
 * right now is 503, so the provider sends the batch again.
 */
final class EventWebhookRoute extends RouteBuilder {

    static final String PATH = "/hooks/email/events";
    static final String ROUTE_ID = "email-events";
    private static final Logger LOG = LoggerFactory.getLogger(EventWebhookRoute.class);

    private final byte[] token;
    private final ChannelFeedback feedback;

    EventWebhookRoute(String token, ChannelFeedback feedback) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.feedback = feedback;
    }

    @Override
    public void configure() {
        from("platform-http:" + PATH + "?httpMethodRestrict=POST").routeId(ROUTE_ID).process(this::process);
    }

    void process(Exchange exchange) {
        org.apache.camel.Message in = exchange.getIn();
        boolean authorized = matches(in.getHeader("token", String.class))
                || matches(basicPassword(in.getHeader("Authorization", String.class)));
        String body = authorized ? in.getBody(String.class) : null;
        // None of the request's headers (the token among them) go back in the response.
        in.removeHeaders("*");
        if (!authorized) {
            in.setHeader("WWW-Authenticate", "Basic realm=\"atrium-email-events\"");
            respond(exchange, 401, "{\"error\":\"missing or wrong webhook token\"}");
            return;
        }
        ProviderEvents.Batch batch;
        try {
            batch = ProviderEvents.parse(body);
        } catch (ProviderEvents.BadPayload e) {
            respond(exchange, 400, "{\"error\":" + quote(e.getMessage()) + "}");
            return;
        }
        try {
            for (StatusUpdate s : batch.statuses()) {
                feedback.status(s);
            }
            for (ProviderEvents.OptOut o : batch.optOuts()) {
                feedback.optedOut(o.address(), o.at(), o.detail());
            }
        } catch (RuntimeException e) {
            LOG.warn("email: could not record the events of a webhook call ({}); answering 503 so the provider retries", e.toString());
            respond(exchange, 503, "{\"error\":\"the hub could not record the events; try again\"}");
            return;
        }
        respond(exchange, 200, "{\"statuses\":" + batch.statuses().size() + ",\"optOuts\":" + batch.optOuts().size()
                + ",\"ignored\":" + batch.ignored() + "}");
    }

    private boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static String basicPassword(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void respond(Exchange exchange, int code, String json) {
        org.apache.camel.Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, code);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(json);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
