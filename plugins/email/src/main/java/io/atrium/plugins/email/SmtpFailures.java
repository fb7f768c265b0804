package io.atrium.plugins.email;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

/**
 * Turns what JavaMail throws into the hub's {@link SendException}: whether a retry can help, and
 * the {@link FailureReason} a campaign decides on.
 *
 * <ul>
 *   <li>a 4xx reply, a refused or timed-out connection, an unknown host, a TLS failure, a refused
 *       login, anything without an SMTP reply code: not permanent, {@code unavailable} (the hub
 *       retries with backoff, and fails the message {@code unavailable} after its last attempt);</li>
 *   <li>a 5xx reply to the recipient or the data: permanent; {@code invalid_address} for an
 *       RFC 3463 enhanced code 5.1.x about the recipient (5.1.1 no such user, 5.1.2 bad domain, ...),
 *       or, where the server gives no enhanced code, for 550, 551 and 553; {@code rejected} for every
 *       other 5xx. An enhanced code decides over the basic one: {@code 550 5.7.1} (refused as spam)
 *       is {@code rejected}, not a bad address;</li>
 *   <li>a 5xx reply to MAIL FROM: permanent {@code rejected} (it is the sender that is refused,
 *       not the person's address);</li>
 *   <li>no reply at all once the whole message was written (see {@link #classify(Throwable, boolean)}):
 *       permanent {@code outcome_unknown}, never sent twice.</li>
 * </ul>
 */
final class SmtpFailures {

    private static final Pattern ENHANCED = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    private static final Pattern BASIC = Pattern.compile("^\\s*([2-5]\\d\\d)[\\s-]");

    private SmtpFailures() {
    }

    /** An RFC 3463 enhanced status code: class.subject.detail. */
    record Enhanced(int klass, int subject, int detail) {
        @Override
        public String toString() {
            return klass + "." + subject + "." + detail;
        }
    }

    /** The first enhanced status code in a server reply or DSN field, such as the 5.1.1 of "550 5.1.1 unknown user". */
    static Optional<Enhanced> enhancedCode(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = ENHANCED.matcher(text);
        return m.find()
                ? Optional.of(new Enhanced(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))))
                : Optional.empty();
    }

    /** Whether an enhanced code says the recipient's address is bad (5.1.x, but not the sender's 5.1.7 / 5.1.8). */
    static boolean isBadRecipient(Enhanced code) {
        return code.klass() == 5 && code.subject() == 1 && code.detail() != 7 && code.detail() != 8;
    }

    /**
     * The exception for a reply of the server to the recipient or the message.
     *
     * @param code  the basic reply code (550), or 0 if unknown
     * @param reply the reply text, for people and for its enhanced code
     */
    static SendException forReply(int code, String reply) {
        String text = reply == null ? "" : reply.strip();
        Optional<Enhanced> enhanced = enhancedCode(text);
        int basic = code > 0 ? code : basicCode(text);
        int klass = basic > 0 ? basic / 100 : enhanced.map(Enhanced::klass).orElse(0);
        String said = "the SMTP server answered " + (text.isEmpty() ? String.valueOf(basic) : text);
        if (klass == 5) {
            boolean badAddress = enhanced.isPresent()
                    ? isBadRecipient(enhanced.get())
                    : basic == 550 || basic == 551 || basic == 553;
            return new SendException(badAddress ? FailureReason.INVALID_ADDRESS : FailureReason.REJECTED, said, true);
        }
        return new SendException(FailureReason.UNAVAILABLE, said + " (temporary)", false);
    }

    /**
     * Maps what sending threw, knowing whether the whole message had been written to the server.
     * After that point a failure the server did not answer (a timeout or a dropped connection
     * while waiting for the reply to the final dot) may follow a delivery: it is final,
     * {@code outcome_unknown}, so that nobody gets the mail twice. A reply (250 lost, 451, 554)
     * is mapped as usual.
     */
    static SendException classify(Throwable failure, boolean messageHandedOver) {
        SendException e = classify(failure);
        if (messageHandedOver && !e.isPermanent() && !answered(failure)) {
            return new SendException(FailureReason.OUTCOME_UNKNOWN, "the connection to the SMTP server failed after the "
                    + "whole message was sent and before the server confirmed it (" + e.getMessage()
                    + "); it may have been delivered, so it is not sent again", true, failure);
        }
        return e;
    }

    /** Whether the server gave a reply code that explains the failure. */
    private static boolean answered(Throwable failure) {
        for (Throwable t : flatten(failure)) {
            int code = 0;
            if (t instanceof SMTPSendFailedException f) {
                code = f.getReturnCode();
            } else if (t instanceof SMTPAddressFailedException f) {
                code = f.getReturnCode();
            } else if (t instanceof SMTPSenderFailedException f) {
                code = f.getReturnCode();
            } else if (t instanceof AuthenticationFailedException) {
                return true;
            }
            if (code >= 200 && code < 600) {
                return true;
            }
        }
        return false;
    }

    /** Maps whatever sending threw. */
    static SendException classify(Throwable failure) {
        if (failure instanceof SendException se) {
            return se;
        }
        List<Throwable> all = flatten(failure);
        for (Throwable t : all) {
            if (t instanceof AuthenticationFailedException) {
                return new SendException(FailureReason.UNAVAILABLE, "the SMTP server refused the login of '"
                        + EmailSpec.SMTP_USERNAME + "'; check " + EmailSpec.SMTP_USERNAME + " and " + EmailSpec.SMTP_PASSWORD
                        + reply(t), false, failure);
            }
        }
        for (Throwable t : all) {
            if (t instanceof SMTPSenderFailedException sf) {
                SendException e = forReply(sf.getReturnCode(), sf.getMessage());
                if (e.isPermanent()) {
                    return new SendException(FailureReason.REJECTED, "the SMTP server refused the sender address ('"
                            + EmailSpec.FROM + "' or '" + EmailSpec.BOUNCE_ADDRESS + "'): " + e.getMessage(), true, failure);
                }
                return withCause(e, failure);
            }
        }
        for (Throwable t : all) {
            if (t instanceof SMTPAddressFailedException af) {
                return withCause(forReply(af.getReturnCode(), af.getMessage()), failure);
            }
        }
        for (Throwable t : all) {
            if (t instanceof SMTPSendFailedException sf) {
                return withCause(forReply(sf.getReturnCode(), sf.getMessage()), failure);
            }
        }
        for (Throwable t : all) {
            if (t instanceof SocketTimeoutException) {
                return new SendException(FailureReason.UNAVAILABLE, "the SMTP server did not answer in time ("
                        + EmailSpec.CONNECTION_TIMEOUT + ")", false, failure);
            }
            if (t instanceof MailConnectException || t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new SendException(FailureReason.UNAVAILABLE, "could not connect to the SMTP server ("
                        + EmailSpec.SMTP_HOST + ", " + EmailSpec.SMTP_PORT + "): " + t.getMessage(), false, failure);
            }
            if (t instanceof UnknownHostException) {
                return new SendException(FailureReason.UNAVAILABLE, "the SMTP server's host name is unknown ("
                        + EmailSpec.SMTP_HOST + "): " + t.getMessage(), false, failure);
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return new SendException(FailureReason.UNAVAILABLE, "TLS with the SMTP server failed ("
                        + EmailSpec.SMTP_SECURITY + "): " + t.getMessage(), false, failure);
            }
        }
        for (Throwable t : all) {
            if (t.getMessage() != null && t.getMessage().contains("STARTTLS is required")) {
                return new SendException(FailureReason.UNAVAILABLE, "the SMTP server does not offer STARTTLS, which '"
                        + EmailSpec.SMTP_SECURITY + ": starttls' requires; nothing was sent (not even the login)", false, failure);
            }
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        int basic = basicCode(message);
        if (basic >= 400) {
            return withCause(forReply(basic, message), failure);
        }
        return new SendException(FailureReason.UNAVAILABLE, "sending over SMTP failed: " + message, false, failure);
    }

    private static SendException withCause(SendException e, Throwable cause) {
        return new SendException(e.reason(), e.getMessage(), e.isPermanent(), cause);
    }

    private static String reply(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? "" : " (server said: " + t.getMessage().strip() + ")";
    }

    private static int basicCode(String text) {
        if (text == null) {
            return 0;
        }
        Matcher m = BASIC.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The failure, its causes and JavaMail's chained "next" exceptions, each once. */
    private static List<Throwable> flatten(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        List<Throwable> todo = new ArrayList<>();
        todo.add(failure);
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(0);
            if (t == null || seen.put(t, Boolean.TRUE) != null) {
                continue;
            }
            out.add(t);
            todo.add(t.getCause());
            if (t instanceof MessagingException me) {
                todo.add(me.getNextException());
            }
        }
        return out;
    }
}
