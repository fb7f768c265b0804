package io.atrium.plugins.sms;

import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/**
 * Sends the body through the configured provider. A refusal is thrown as the plugin's
 * {@link SendException} ({@code isPermanent()}, {@code reason()}), for the route's error handler.
 */
final class SmsProducer extends DefaultProducer {

    private final SmsGateway gateway;

    SmsProducer(SmsEndpoint endpoint, SmsGateway gateway) {
        super(endpoint);
        this.gateway = gateway;
    }

    @Override
    public SmsEndpoint getEndpoint() {
        return (SmsEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String written = in.getHeader(SmsConstants.TO, String.class);
        if (written == null || written.isBlank()) {
            written = getEndpoint().getTo();
        }
        if (written == null || written.isBlank()) {
            throw new SendException(FailureReason.NO_ADDRESS, "sms:send needs a recipient: the option 'to' or the header '"
                    + SmsConstants.TO + "'", true);
        }
        String to = PhoneNumbers.lenientE164(written);
        String id = in.getHeader(SmsConstants.MESSAGE_ID, String.class);
        if (id == null || id.isBlank()) {
            id = exchange.getExchangeId();
        }
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("source", "sms-component");
        String sender = in.getHeader(SmsConstants.SENDER, String.class);
        if (sender != null && !sender.isBlank()) {
            attributes.put("sender", sender);
        }
        String text = in.getBody(String.class);
        OutboundMessage message = new OutboundMessage(id, "sms", null, to, OutboundMessage.TRANSACTIONAL, null,
                text == null ? "" : text, null, null, attributes);
        SendResult result = gateway.send(message);
        in.setHeader(SmsConstants.MESSAGE_ID, id);
        in.setHeader(SmsConstants.PROVIDER_MESSAGE_ID, result.providerMessageId());
    }
}
