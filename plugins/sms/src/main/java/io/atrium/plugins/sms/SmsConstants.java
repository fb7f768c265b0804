package io.atrium.plugins.sms;

/** Header names of the {@code sms:} component. */
public final class SmsConstants {

    /** In: the recipient, E.164; overrides the endpoint's {@code to} option. */
    public static final String TO = "to";
    /** In: the id the message is known by in delivery reports (http mode's dlr-url); default the exchange id. Out: the id used. */
    public static final String MESSAGE_ID = "SmsMessageId";
    /** In: a sender id or number instead of source-address, optional. */
    public static final String SENDER = "SmsSender";
    /** Out: the provider's message id (SMPP message_id, or what http-id-pattern found), if any. */
    public static final String PROVIDER_MESSAGE_ID = "SmsProviderMessageId";

    private SmsConstants() {
    }
}
