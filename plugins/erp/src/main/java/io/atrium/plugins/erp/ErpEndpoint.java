package io.atrium.plugins.erp;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** {@code erp:map}: a producer-only endpoint with its mapping compiled once. */
final class ErpEndpoint extends DefaultEndpoint {

    private final Mapping mapping;
    private final boolean skipBadRecords;

    ErpEndpoint(String uri, ErpComponent component, Mapping mapping, boolean skipBadRecords) {
        super(uri, component);
        this.mapping = mapping;
        this.skipBadRecords = skipBadRecords;
    }

    @Override
    public ErpComponent getComponent() {
        return (ErpComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new ErpProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("erp:map only submits; the plugin's sources (jdbc, files, sftp, webhook) "
                + "read from the ERP");
    }

    Mapping mapping() {
        return mapping;
    }

    boolean skipBadRecords() {
        return skipBadRecords;
    }
}
