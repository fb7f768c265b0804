package io.atrium.plugins.viber;

/** Header names of the {@code viber:} Camel component. */
public final class ViberConstants {

    /** In: the receiver's Viber user id; overrides the endpoint's {@code receiver} option. */
    public static final String RECEIVER = "receiver";

    /** In (optional): sent as {@code tracking_data}, which Viber echoes back in the person's replies. */
    public static final String TRACKING_DATA = "trackingData";

    /** Out: Viber's {@code message_token} of the sent message, as decimal text. */
    public static final String MESSAGE_TOKEN = "viberMessageToken";

    private ViberConstants() {
    }
}
