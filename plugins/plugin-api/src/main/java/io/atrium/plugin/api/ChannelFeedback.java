package io.atrium.plugin.api;

/**
 * Where a channel plugin reports what happened after a send: delivery receipts, opens, bounces,
 * and the person's replies. Returned by {@link ConnectorContext#registerChannel}; it knows its
 * channel. Reports are durable once the call returns; a report for a message the hub does not
 * know is logged and counted, never an exception.
 */
public interface ChannelFeedback {

    /** Records a status change of an outbound message. */
    void status(StatusUpdate update);

    /** Records a message a person sent on this channel. */
    void inbound(InboundMessage message);

    /**
     * The person at {@code address} opted out of this channel at the provider (Viber's
     * {@code unsubscribed}, an SMSC's opt-out list, an ESP's unsubscribe or spam report): the hub
     * withdraws their consent for the channel and sends them nothing more on it.
     *
     * @param at     when, by the provider's clock; null means now
     * @param detail the provider's words, for people; may be null
     */
    void optedOut(String address, java.time.Instant at, String detail);
}
