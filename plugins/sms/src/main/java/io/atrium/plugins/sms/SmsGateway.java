package io.atrium.plugins.sms;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.MessageSender;

/** One way of talking to the provider: {@link SmppGateway} or {@link HttpGateway}. */
interface SmsGateway extends MessageSender {

    /** Opens what sending needs; called before the channel is registered. */
    void open(ConnectorContext ctx) throws Exception;

    /** Starts receiving receipts and replies, reporting them to {@code feedback}. */
    void listen(ConnectorContext ctx, ChannelFeedback feedback) throws Exception;

    /** Releases what {@link #open} and {@link #listen} opened, except routes (the hub removes those). */
    void close();
}
