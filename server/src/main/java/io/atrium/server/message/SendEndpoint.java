package io.atrium.server.message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code atrium:send?channel=email&template=order-ready&purpose=transactional}: sends a message the
 * recorded, consent-checked way, exactly like {@code POST /api/v1/messages}. The body is that JSON
 * (a Map or JSON text: {@code profile}, {@code data}, {@code dedupeKey}, ...); the URI's options fill
 * what the body leaves out. Afterwards the body is the message record ({@code id}, {@code status},
 * {@code reason}) and the header {@code AtriumMessageId} holds its id.
 */
public class SendEndpoint extends DefaultEndpoint {

    private final Supplier<Messages> messages;
    private final ObjectMapper mapper;

    @UriParam(description = "The channel to send on")
    private String channel;
    @UriParam(description = "The id of the stored template")
    private String template;
    @UriParam(description = "marketing or transactional", defaultValue = "marketing")
    private String purpose;

    public SendEndpoint(String uri, Component component, Supplier<Messages> messages, ObjectMapper mapper) {
        super(uri, component);
        this.messages = messages;
        this.mapper = mapper;
    }

    public void setChannel(String channel) { this.channel = channel; }
    public String getChannel() { return channel; }
    public void setTemplate(String template) { this.template = template; }
    public String getTemplate() { return template; }
    public void setPurpose(String purpose) { this.purpose = purpose; }
    public String getPurpose() { return purpose; }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                Object raw = exchange.getMessage().getBody();
                Map<String, Object> body = body(raw instanceof Map<?, ?> ? raw : exchange.getMessage().getBody(String.class));
                if (channel != null) {
                    body.putIfAbsent("channel", channel);
                }
                if (template != null) {
                    body.putIfAbsent("template", template);
                }
                if (purpose != null) {
                    body.putIfAbsent("purpose", purpose);
                }
                MessageStore.Row row = messages.get().send(Messages.request(body));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", row.id());
                out.put("channel", row.channel());
                out.put("status", row.status());
                out.put("reason", row.reason());
                out.put("detail", row.detail());
                exchange.getMessage().setBody(out);
                exchange.getMessage().setHeader("AtriumMessageId", row.id());
            }
        };
    }

    private Map<String, Object> body(Object body) throws Exception {
        if (body instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return copy;
        }
        if (body instanceof byte[] bytes) {
            body = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (body instanceof String text && !text.isBlank()) {
            return mapper.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
        }
        throw new IllegalArgumentException("atrium:send needs a body: the message as a Map or JSON text, "
                + "e.g. {\"profile\": {\"idType\": \"email\", \"idValue\": \"...\"}, \"data\": {...}}");
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("atrium:send can only be sent to (use it in 'to:')");
    }
}
