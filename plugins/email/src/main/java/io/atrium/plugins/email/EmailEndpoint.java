package io.atrium.plugins.email;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code email:send}: a producer-only endpoint. */
final class EmailEndpoint extends DefaultEndpoint {

    private String to;
    private String subject;

    EmailEndpoint(String uri, EmailComponent component) {
        super(uri, component);
    }

    @Override
    public EmailComponent getComponent() {
        return (EmailComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new EmailProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("email:send only sends; bounces and opens reach the hub as message statuses");
    }

    /** Default recipient(s), comma-separated; the {@code to} header overrides it. */
    String getTo() {
        return to;
    }

    void setTo(String to) {
        this.to = to;
    }

    /** Default subject; the {@code subject} header overrides it. */
    String getSubject() {
        return subject;
    }

    void setSubject(String subject) {
        this.subject = subject;
    }
}
