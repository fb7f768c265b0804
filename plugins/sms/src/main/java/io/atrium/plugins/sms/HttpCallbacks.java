package io.atrium.plugins.sms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.StatusUpdate;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

/**
 * The two URLs an HTTP gateway calls on the hub (platform-http, so under the hub's public URL),
 * GET or POST (form), each with {@code token} = callback-token:
 *
 * <ul>
 * <li>{@code callback-path?message=<hub id>&status=<Kannel DLR type or word>&token=...} (optional
 *     {@code reason}, {@code detail}): a delivery report; Twilio's {@code MessageStatus} and
 *     {@code ErrorCode} form fields are read too;</li>
 * <li>{@code inbound-path?from=<sender>&text=<text>&token=...} (optional {@code to}, {@code id};
 *     Twilio's {@code Body} and {@code MessageSid} too): a reply.</li>
 * </ul>
 *
 * 401 when the token is missing or wrong, 400 naming the parameter that is missing or bad, 200
 * when recorded (or when the status changes nothing).
 */
final class HttpCallbacks extends RouteBuilder {

    private final String pluginId;
    private final HttpSettings settings;
    private final ChannelFeedback feedback;
    private final byte[] token;

    HttpCallbacks(String pluginId, HttpSettings settings, ChannelFeedback feedback) {
        this.pluginId = pluginId;
        this.settings = settings;
        this.feedback = feedback;
        this.token = settings.callbackToken().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void configure() {
        from("platform-http:" + settings.callbackPath() + "?httpMethodRestrict=GET,POST")
                .routeId(pluginId + "-dlr")
                .process(this::deliveryReport);
        from("platform-http:" + settings.inboundPath() + "?httpMethodRestrict=GET,POST")
                .routeId(pluginId + "-inbound")
                .process(this::reply);
    }

    void deliveryReport(Exchange exchange) {
        Message in = exchange.getMessage();
        if (!authorised(in)) {
            answer(exchange, 401, "token missing or wrong");
            return;
        }
        String messageId = param(in, "message");
        if (messageId == null || messageId.isBlank()) {
            answer(exchange, 400, "parameter 'message' is required: the hub's message id");
            return;
        }
        String status = param(in, "status");
        if (status == null || status.isBlank()) {
            status = param(in, "MessageStatus");
        }
        if (status == null || status.isBlank()) {
            answer(exchange, 400, "parameter 'status' is required: a Kannel DLR type (1, 2, 4, 8, 16) or a word "
                    + "such as delivered or failed");
            return;
        }
        String detail = param(in, "detail");
        String errorCode = param(in, "ErrorCode");
        if (detail == null && errorCode != null && !errorCode.isBlank()) {
            detail = "err:" + errorCode;
        }
        Optional<StatusUpdate> update;
        try {
            update = CallbackStatus.toStatus(messageId.strip(), status, param(in, "reason"), detail);
        } catch (IllegalArgumentException e) {
            answer(exchange, 400, "parameter 'status': " + e.getMessage());
            return;
        }
        update.ifPresent(feedback::status);
        answer(exchange, 200, "OK");
    }

    void reply(Exchange exchange) {
        Message in = exchange.getMessage();
        if (!authorised(in)) {
            answer(exchange, 401, "token missing or wrong");
            return;
        }
        String from = param(in, "from");
        if (from == null || from.isBlank()) {
            answer(exchange, 400, "parameter 'from' is required: the sender's number");
            return;
        }
        String text = param(in, "text");
        if (text == null) {
            text = param(in, "Body");
        }
        if (text == null) {
            answer(exchange, 400, "parameter 'text' is required: the message text");
            return;
        }
        String to = param(in, "to");
        String id = param(in, "id");
        if (id == null) {
            id = param(in, "MessageSid");
        }
        feedback.inbound(new InboundMessage(PhoneNumbers.fromHttp(from), to == null || to.isBlank() ? null : to.strip(),
                text, null, id == null || id.isBlank() ? null : id.strip(), null));
        answer(exchange, 200, "OK");
    }

    private boolean authorised(Message in) {
        String given = param(in, "token");
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
    }

    /** A query or form parameter (the HTTP consumer makes them headers); the first one if repeated. */
    static String param(Message in, String name) {
        Object v = in.getHeader(name);
        if (v instanceof List<?> list) {
            v = list.isEmpty() ? null : list.get(0);
        }
        return v == null ? null : v.toString();
    }

    private static void answer(Exchange exchange, int status, String text) {
        Message out = exchange.getMessage();
        // The request's parameters are headers now; none of them (the token least) goes back as a response header.
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        out.setBody(text + "\n");
    }
}
