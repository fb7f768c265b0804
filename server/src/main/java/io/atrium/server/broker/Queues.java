package io.atrium.server.broker;

/** Names of the durable queues and topics between the hub's stages. */
public final class Queues {

    /** Every accepted event, as one JSON array per accepted request or plugin batch. */
    public static final String EVENTS = "atrium.events";
    /** Durable topic: after each committed batch of the profile stage, which profiles changed, merged away or were erased. */
    public static final String PROFILE_CHANGED = "atrium.profile-changed";
    /** Durable topic: one message per segment entry or exit, {@code {type, segmentId, segmentName, profileId, at}}. */
    public static final String SEGMENT_EVENTS = "atrium.segment-events";
    /** Status reports of outbound messages from channel plugins, applied by the hub in order of arrival. */
    public static final String MESSAGE_STATUS = "atrium.message-status";
    /** Messages that failed every delivery attempt. */
    public static final String DEAD_LETTER = "atrium.dlq";
    /** Prefix of the per-channel outbound queues: {@code atrium.outbound.email}, ... */
    public static final String OUTBOUND_PREFIX = "atrium.outbound.";

    private Queues() {
    }

    public static String outbound(String channel) {
        return OUTBOUND_PREFIX + channel;
    }
}
