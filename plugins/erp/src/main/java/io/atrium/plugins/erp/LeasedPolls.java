package io.atrium.plugins.erp;

import java.util.function.BooleanSupplier;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;

/**
 * A Camel poll strategy that lets a consumer poll only while this hub node may ({@code mayPoll}: it
 * holds the plugin's lease), handing everything else to the endpoint's own strategy. A skipped poll
 * reads nothing and changes nothing on the server; the next one asks again.
 */
final class LeasedPolls implements PollingConsumerPollStrategy {

    private final PollingConsumerPollStrategy delegate;
    private final BooleanSupplier mayPoll;

    LeasedPolls(PollingConsumerPollStrategy delegate, BooleanSupplier mayPoll) {
        this.delegate = delegate;
        this.mayPoll = mayPoll;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return mayPoll.getAsBoolean() && delegate.begin(consumer, endpoint);
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        delegate.commit(consumer, endpoint, polledMessages);
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) throws Exception {
        return delegate.rollback(consumer, endpoint, retryCounter, cause);
    }
}
