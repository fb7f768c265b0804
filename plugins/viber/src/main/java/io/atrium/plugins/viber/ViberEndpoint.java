package io.atrium.plugins.viber;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code viber:send}: a producer only. */
final class ViberEndpoint extends DefaultEndpoint {

    private final ViberClient client;

    /** The receiver's Viber user id, unless the {@code receiver} header names one. */
    private String receiver;

    ViberEndpoint(String uri, ViberComponent component, ViberClient client) {
        super(uri, component);
        this.client = client;
    }

    @Override
    public Producer createProducer() {
        return new ViberProducer(this, client);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("viber: endpoints only send (to: viber:send); Viber's callbacks arrive"
                + " on the plugin's webhook");
    }

    public String getReceiver() {
        return receiver;
    }

    public void setReceiver(String receiver) {
        this.receiver = receiver;
    }
}
