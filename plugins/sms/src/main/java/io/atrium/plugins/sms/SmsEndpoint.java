package io.atrium.plugins.sms;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** {@code sms:send}: a producer only. */
@UriEndpoint(scheme = "sms", title = "Atrium SMS", syntax = "sms:operation", producerOnly = true,
        category = {Category.MOBILE})
public final class SmsEndpoint extends DefaultEndpoint {

    private final SmsGateway gateway;

    @UriPath(description = "The operation: send")
    private String operation = "send";

    @UriParam(description = "Recipient, E.164 (+380501112233); the header 'to' overrides it")
    private String to;

    SmsEndpoint(String uri, SmsComponent component, SmsGateway gateway) {
        super(uri, component);
        this.gateway = gateway;
    }

    @Override
    public Producer createProducer() {
        return new SmsProducer(this, gateway);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("sms: endpoints only send; replies and receipts reach the hub "
                + "through the sms channel");
    }

    public String getOperation() {
        return operation;
    }

    public String getTo() {
        return to;
    }

    /** Recipient, E.164. */
    public void setTo(String to) {
        this.to = to;
    }
}
