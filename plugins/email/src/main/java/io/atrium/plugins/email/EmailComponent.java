package io.atrium.plugins.email;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code email:} Camel component the plugin registers for YAML routes:
 * {@code email:send?to=ops@example.com&subject=Import+failed} sends the exchange body as the text
 * through the plugin's SMTP settings. Headers {@code to}, {@code subject} and {@code html} override
 * the options. Unknown options and any path other than {@code send} are errors.
 *
 * <p>This is a plain notification mail: it bypasses the hub's consent check and message record,
 * and is not tracked. Mail to customers goes through the hub's {@code atrium:send} endpoint.
 */
final class EmailComponent extends DefaultComponent {

    static final String SCHEME = "email";

    private final EmailMessages messages;
    private final SmtpClient smtp;

    EmailComponent(EmailMessages messages, SmtpClient smtp) {
        this.messages = messages;
        this.smtp = smtp;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"send".equals(remaining)) {
            throw new IllegalArgumentException("unknown email endpoint '" + SCHEME + ":" + remaining
                    + "': the only one is " + SCHEME + ":send?to=...&subject=...");
        }
        EmailEndpoint endpoint = new EmailEndpoint(uri, this);
        endpoint.setTo(getAndRemoveParameter(parameters, "to", String.class));
        endpoint.setSubject(getAndRemoveParameter(parameters, "subject", String.class));
        // Whatever is left in parameters makes DefaultComponent refuse the URI, naming the option.
        return endpoint;
    }

    EmailMessages messages() {
        return messages;
    }

    SmtpClient smtp() {
        return smtp;
    }
}
