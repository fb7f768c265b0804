package io.atrium.plugins.sms;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * http mode: one request per message to the gateway's send URL (Java's HttpClient), with the
 * placeholders filled in; the delivery-report URL it hands the gateway names the hub's own message
 * id, so the callback ({@link HttpCallbacks}) needs no provider id. The answer's status decides:
 * an accepted one is a send, 429, 408 and 5xx (and no answer) are transient, the rest permanent.
 */
final class HttpGateway implements SmsGateway {

    private static final Logger LOG = LoggerFactory.getLogger(HttpGateway.class);
    private static final int SNIPPET = 200;

    private final HttpSettings settings;
    private final String publicUrl;
    private final HttpClient client;
    private final Template.Escaping bodyEscaping;
    private volatile boolean closed;

    HttpGateway(HttpSettings settings, String publicUrl) {
        this.settings = settings;
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.bodyEscaping = Template.Escaping.forContentType(settings.contentType());
    }

    @Override
    public void open(ConnectorContext ctx) {
        LOG.info("sms: HTTP gateway {} {}, delivery reports at {}{}", settings.method(), where(sampleUri()), publicUrl,
                settings.callbackPath());
        boolean asksForReports = settings.url().placeholders().contains("dlrUrl")
                || settings.url().placeholders().contains("callbackUrl")
                || settings.body() != null && (settings.body().placeholders().contains("dlrUrl")
                        || settings.body().placeholders().contains("callbackUrl"));
        if (!asksForReports) {
            LOG.warn("sms: neither {} nor {} uses {dlrUrl} or {callbackUrl}: the gateway is not told where to report "
                    + "deliveries", SmsConfig.HTTP_URL, SmsConfig.HTTP_BODY);
        }
    }

    @Override
    public void listen(ConnectorContext ctx, ChannelFeedback feedback) throws Exception {
        ctx.addRoutes(new HttpCallbacks(ctx.pluginId(), settings, feedback));
    }

    /** The callback URL for one message, without a status: for gateways that post the status themselves. */
    String callbackUrl(String messageId) {
        return publicUrl + settings.callbackPath() + "?message=" + Template.escape(messageId, Template.Escaping.URL)
                + "&token=" + Template.escape(settings.callbackToken(), Template.Escaping.URL);
    }

    /** The Kannel dlr-url for one message: Kannel replaces %d with the DLR type. */
    String dlrUrl(String messageId) {
        return publicUrl + settings.callbackPath() + "?message=" + Template.escape(messageId, Template.Escaping.URL)
                + "&status=%d&token=" + Template.escape(settings.callbackToken(), Template.Escaping.URL);
    }

    Map<String, String> values(OutboundMessage message) {
        Map<String, String> v = new HashMap<>();
        v.put("to", message.to());
        v.put("msisdn", PhoneNumbers.smppDestination(message.to()));
        String sender = message.attribute("sender");
        v.put("from", sender != null && !sender.isBlank() ? sender : settings.from());
        v.put("text", message.text());
        // Kannel's coding: 0 (GSM 7-bit) when the text fits, else 2 (UCS-2), so Cyrillic or emoji are not lost.
        v.put("coding", SmppText.alphabetFor(message.text()) == org.jsmpp.bean.Alphabet.ALPHA_DEFAULT ? "0" : "2");
        v.put("id", message.id());
        v.put("dlrUrl", dlrUrl(message.id()));
        v.put("callbackUrl", callbackUrl(message.id()));
        v.put("username", settings.username());
        v.put("password", settings.password());
        v.put("token", settings.token());
        return v;
    }

    @Override
    public SendResult send(OutboundMessage message) throws SendException {
        if (closed) {
            throw new SendException(FailureReason.UNAVAILABLE, "the sms plugin is stopped", false);
        }
        if (!PhoneNumbers.isE164(message.to())) {
            throw new SendException(FailureReason.INVALID_ADDRESS, "'" + message.to()
                    + "' is not an E.164 number (+ and 5 to 15 digits)", true);
        }
        Map<String, String> values = values(message);
        URI uri;
        try {
            uri = URI.create(settings.url().render(values, Template.Escaping.URL));
        } catch (IllegalArgumentException e) {
            throw new SendException(FailureReason.REJECTED, "key '" + SmsConfig.HTTP_URL
                    + "' does not give a valid URL for this message", true);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.timeout())
                .header("User-Agent", "atrium-sms");
        switch (settings.auth()) {
            case "basic" -> request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8)));
            case "bearer" -> request.header("Authorization", "Bearer " + settings.token());
            default -> {
            }
        }
        if (settings.method().equals("POST")) {
            request.header("Content-Type", settings.contentType())
                    .POST(HttpRequest.BodyPublishers.ofString(settings.body().render(values, bodyEscaping),
                            StandardCharsets.UTF_8));
        } else {
            request.GET();
        }
        // A path may carry a credential too (https://portal/rest/1/{token}/sms.send).
        String where = scrub(settings.method() + " " + where(uri));
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new SendException(FailureReason.UNAVAILABLE, "HTTP gateway " + where + " could not be reached in time", false);
        } catch (java.net.http.HttpTimeoutException e) {
            // The request went out: the gateway may have taken it. Retrying could reach the person twice.
            throw new SendException(FailureReason.OUTCOME_UNKNOWN, "HTTP gateway " + where + " did not answer within "
                    + settings.timeout() + "; not retried, since it may have been sent", true);
        } catch (IOException e) {
            throw new SendException(FailureReason.UNAVAILABLE, "HTTP gateway " + where + " failed: "
                    + scrub(SmppErrors.message(e)), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SendException(FailureReason.UNAVAILABLE, "interrupted while calling HTTP gateway " + where, false);
        }
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (settings.accepted().accepts(status)) {
            String id = null;
            if (settings.providerId() != null) {
                id = settings.providerId().find(body).orElse(null);
                if (id == null) {
                    LOG.warn("sms: HTTP gateway {} accepted message {} but its answer has no id at {} ({})", where,
                            message.id(), settings.providerId(), SmsConfig.HTTP_ID_PATTERN);
                }
            }
            return SendResult.accepted(id);
        }
        String what = "HTTP gateway " + where + " answered " + status + snippet(body);
        if (status == 429 || status == 408 || status >= 500) {
            throw new SendException(FailureReason.UNAVAILABLE, what, false);
        }
        throw new SendException(FailureReason.REJECTED, what, true);
    }

    /** Scheme, host, port and path: never the query, which may carry credentials. */
    static String where(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private URI sampleUri() {
        Map<String, String> sample = new HashMap<>();
        Template.PLACEHOLDERS.forEach(p -> sample.put(p, "x"));
        return URI.create(settings.url().render(sample, Template.Escaping.URL));
    }

    private String snippet(String body) {
        String b = body.strip().replaceAll("\\s+", " ");
        if (b.isEmpty()) {
            return "";
        }
        return ": " + scrub(b.length() > SNIPPET ? b.substring(0, SNIPPET) + "..." : b);
    }

    /** A gateway may echo the request: take our secrets out of anything we repeat. */
    private String scrub(String text) {
        String out = text;
        for (String secret : new String[] {settings.password(), settings.token(), settings.callbackToken()}) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, ConfigSpec.MASK)
                        .replace(Template.escape(secret, Template.Escaping.URL), ConfigSpec.MASK);
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        // HttpClient has no close() before Java 21; its threads end when it is unreachable.
    }
}
