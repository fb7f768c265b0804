package io.atrium.plugins.viber;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;

/**
 * Sends the body as a Viber text message to the {@code receiver} header, or else the endpoint's
 * {@code receiver} option, and sets {@link ViberConstants#MESSAGE_TOKEN}. A failure is the
 * plugin's {@link io.atrium.plugin.api.SendException} (see its {@code reason()} and
 * {@code isPermanent()}), set on the exchange.
 */
final class ViberProducer extends DefaultProducer {

    private final ViberEndpoint endpoint;
    private final ViberClient client;

    ViberProducer(ViberEndpoint endpoint, ViberClient client) {
        super(endpoint);
        this.endpoint = endpoint;
        this.client = client;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Message in = exchange.getMessage();
        String receiver = in.getHeader(ViberConstants.RECEIVER, String.class);
        if (receiver == null || receiver.isBlank()) {
            receiver = endpoint.getReceiver();
        }
        if (receiver == null || receiver.isBlank()) {
            throw new IllegalArgumentException("viber:send needs a receiver: set the '" + ViberConstants.RECEIVER
                    + "' header or the endpoint option (viber:send?receiver=<viber user id>)");
        }
        String text = in.getBody(String.class);
        String token = client.sendText(receiver, text, in.getHeader(ViberConstants.TRACKING_DATA, String.class));
        in.setHeader(ViberConstants.MESSAGE_TOKEN, token);
    }
}
