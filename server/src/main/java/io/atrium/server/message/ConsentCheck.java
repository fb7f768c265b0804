package io.atrium.server.message;

import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.OutboundMessage;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Whether the hub may send a person a message on a channel for a purpose (docs/messages.md):
 * <ul>
 *   <li>an opt-out of the channel (consent purpose {@code all} = false: an unsubscribe link, "STOP",
 *       a provider's opt-out) stops every message on it, transactional ones included;</li>
 *   <li>{@code marketing} needs the person's consent for the channel's marketing ({@code granted: true})
 *       when {@code atrium.messages.marketing-consent} is {@code opt-in} (the default), and only no
 *       refusal when it is {@code opt-out};</li>
 *   <li>{@code transactional} is sent unless the person refused it for the channel.</li>
 * </ul>
 */
@Component
public class ConsentCheck {

    /** The consent purpose that stands for the whole channel. */
    public static final String ALL = "all";

    private final JdbcTemplate jdbc;
    private final boolean marketingOptIn;

    public ConsentCheck(JdbcTemplate jdbc, @Value("${atrium.messages.marketing-consent:opt-in}") String marketingConsent) {
        this.jdbc = jdbc;
        if (!marketingConsent.equals("opt-in") && !marketingConsent.equals("opt-out")) {
            throw new IllegalArgumentException("atrium.messages.marketing-consent must be opt-in or opt-out, got '"
                    + marketingConsent + "'");
        }
        this.marketingOptIn = marketingConsent.equals("opt-in");
    }

    /** Null when the message may be sent, else why not, for people. */
    public String refusal(long profileId, String channel, String purpose) {
        Map<String, Boolean> consents = new HashMap<>();
        jdbc.query("SELECT purpose, granted FROM consents WHERE profile_id = ? AND channel = ?",
                rs -> { consents.put(rs.getString(1), rs.getBoolean(2)); }, profileId, channel);
        return refusal(consents, channel, purpose);
    }

    /** The same decision from the person's consents on the channel (purpose → granted). */
    public String refusal(Map<String, Boolean> consents, String channel, String purpose) {
        if (Boolean.FALSE.equals(consents.get(ALL))) {
            return "the person opted out of " + channel;
        }
        Boolean granted = consents.get(purpose);
        if (Boolean.FALSE.equals(granted)) {
            return "the person refused " + purpose + " messages on " + channel;
        }
        if (OutboundMessage.MARKETING.equals(purpose) && marketingOptIn && granted == null) {
            return "the person has not consented to marketing on " + channel
                    + " (atrium.messages.marketing-consent is opt-in)";
        }
        return null;
    }
}
