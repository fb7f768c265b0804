package io.atrium.plugins.email;

/** The message headers of the {@code email:} Camel component. */
public final class EmailConstants {

    /** Recipient address, or a comma-separated list; overrides the endpoint's {@code to} option. */
    public static final String TO = "to";
    /** Subject line; overrides the endpoint's {@code subject} option. */
    public static final String SUBJECT = "subject";
    /** Optional HTML body; with it the mail is multipart/alternative (the exchange body is the text part). */
    public static final String HTML = "html";
    /** Set by the producer after the send: the Message-ID the SMTP server accepted the mail with. */
    public static final String MESSAGE_ID = "emailMessageId";

    private EmailConstants() {
    }
}
