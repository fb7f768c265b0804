package io.atrium.plugins.email;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Properties;

import io.atrium.plugins.email.EmailSettings.Security;

import org.apache.camel.CamelContext;
import org.apache.camel.component.mail.MailComponent;
import org.apache.camel.component.mail.MailConfiguration;
import org.apache.camel.component.mail.MailEndpoint;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Builds the camel-mail endpoints the plugin talks through. Each comes from a private
 * {@link MailComponent} that holds the credentials, so no password is ever part of an endpoint
 * URI (which Camel shows in logs, JMX and route dumps), and the hub's own {@code smtp:} and
 * {@code imap:} components stay untouched.
 */
final class MailEndpoints {

    private MailEndpoints() {
    }

    /** A started endpoint that sends through the configured SMTP server. */
    static Opened smtp(CamelContext camel, EmailSettings s) throws Exception {
        String protocol = s.smtpSecurity() == Security.TLS ? "smtps" : "smtp";
        MailComponent component = new MailComponent(camel);
        MailConfiguration c = component.getConfiguration();
        credentials(c, s.smtpUsername(), s.smtpPassword());
        c.setConnectionTimeout((int) s.connectionTimeout().toMillis());
        c.setAdditionalJavaMailProperties(smtpProperties(s));
        return open(component, uri(protocol, s.smtpHost(), s.smtpPort()));
    }

    /** A started endpoint whose consumer polls the bounce mailbox for unseen mails. */
    static Opened imap(CamelContext camel, EmailSettings s) throws Exception {
        String protocol = s.imapSecurity() == Security.TLS ? "imaps" : "imap";
        MailComponent component = new MailComponent(camel);
        MailConfiguration c = component.getConfiguration();
        credentials(c, s.imapUsername(), s.imapPassword());
        c.setConnectionTimeout((int) s.connectionTimeout().toMillis());
        c.setAdditionalJavaMailProperties(imapProperties(s));
        c.setFolderName(s.imapFolder());
        c.setUnseen(true);
        c.setDelete(false);
        c.setPeek(true);
        // The processor reads the original jakarta.mail message; Camel's mapping of a DSN's parts is not needed.
        c.setMapMailMessage(false);
        // A mail that cannot even be fetched is logged and skipped instead of failing every poll.
        c.setSkipFailedMessage(true);
        Opened opened = open(component, uri(protocol, s.imapHost(), s.imapPort()));
        MailEndpoint endpoint = opened.endpoint();
        endpoint.setDelay(s.imapPollInterval().toMillis());
        endpoint.setInitialDelay(Math.min(1000, s.imapPollInterval().toMillis()));
        endpoint.setMaxMessagesPerPoll(100);
        // While the server is unreachable, poll (and log) less often.
        endpoint.setBackoffErrorThreshold(3);
        endpoint.setBackoffMultiplier(5);
        return opened;
    }

    /** The JavaMail properties for the SMTP connection: TLS mode, timeouts, envelope sender. */
    static Properties smtpProperties(EmailSettings s) {
        String protocol = s.smtpSecurity() == Security.TLS ? "smtps" : "smtp";
        Properties p = security(protocol, s.smtpSecurity());
        p.setProperty("mail." + protocol + ".writetimeout", Long.toString(s.connectionTimeout().toMillis()));
        p.setProperty("mail." + protocol + ".from", s.envelopeFrom());
        return p;
    }

    /** The JavaMail properties for the IMAP connection. */
    static Properties imapProperties(EmailSettings s) {
        String protocol = s.imapSecurity() == Security.TLS ? "imaps" : "imap";
        return security(protocol, s.imapSecurity());
    }

    private static Properties security(String protocol, Security security) {
        Properties p = new Properties();
        switch (security) {
            case NONE -> p.setProperty("mail." + protocol + ".starttls.enable", "false");
            case STARTTLS -> {
                p.setProperty("mail." + protocol + ".starttls.enable", "true");
                // Never fall back to plain text (and send the password in it) when STARTTLS is missing.
                p.setProperty("mail." + protocol + ".starttls.required", "true");
                p.setProperty("mail." + protocol + ".ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.setProperty("mail." + protocol + ".ssl.enable", "true");
                p.setProperty("mail." + protocol + ".ssl.checkserveridentity", "true");
            }
            default -> throw new IllegalStateException(security.name());
        }
        return p;
    }

    private static void credentials(MailConfiguration c, String username, String password) {
        // camel-mail turns AUTH on when a username is set (and cannot take a null one).
        if (username != null) {
            c.setUsername(username);
            c.setPassword(password);
        }
    }

    private static String uri(String protocol, String host, int port) {
        try {
            return new URI(protocol, null, host, port, null, null, null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + host + "' is not a host name", e);
        }
    }

    private static Opened open(MailComponent component, String uri) throws Exception {
        ServiceHelper.startService(component);
        MailEndpoint endpoint = (MailEndpoint) component.createEndpoint(uri);
        ServiceHelper.startService(endpoint);
        return new Opened(component, endpoint);
    }

    /** An endpoint and the private component it came from; {@link #close()} stops both. */
    record Opened(MailComponent component, MailEndpoint endpoint) implements AutoCloseable {
        @Override
        public void close() {
            ServiceHelper.stopAndShutdownServices(endpoint, component);
        }
    }
}
