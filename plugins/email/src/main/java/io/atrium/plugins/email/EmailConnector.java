package io.atrium.plugins.email;

import java.util.List;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigProblem;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.PluginConfig;

import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code email} channel: sends the hub's rendered messages over SMTP (camel-mail), offers an
 * {@code email:} Camel component for notification mails from YAML routes, and reports bounces
 * and provider events back, from a DSN mailbox over IMAP or from a SendGrid-style event webhook.
 */
@Extension
public class EmailConnector implements Connector {

    static final String CHANNEL = "email";
    private static final Logger LOG = LoggerFactory.getLogger(EmailConnector.class);

    private SmtpClient smtp;
    private MailEndpoints.Opened mailbox;

    @Override
    public ConfigSpec configSpec() {
        return EmailSpec.SPEC;
    }

    /**
     * The rules between keys ({@link EmailSettings#check}), each problem with its key, for the hub
     * to report before start and for the console to show at the field.
     */
    @Override
    public List<ConfigProblem> validate(PluginConfig config) {
        return EmailSettings.check(config);
    }

    @Override
    public void start(ConnectorContext ctx) throws Exception {
        EmailSettings settings = EmailSettings.from(ctx.config());
        LOG.info("email: starting with {}", ctx.config().masked());
        if (settings.smtpSecurity() == EmailSettings.Security.NONE && settings.smtpUsername() != null) {
            LOG.warn("email: smtp-security is none, so the SMTP password travels in plain text; use starttls or tls "
                    + "unless the server is on this machine");
        }
        smtp = new SmtpClient(ctx.camelContext(), settings);
        EmailMessages messages = new EmailMessages(settings);

        ChannelFeedback feedback = ctx.registerChannel(CHANNEL,
                // SMTP has no idempotency key: a message interrupted mid-send is not sent again.
                ChannelOptions.addressedBy("email").ratePerSecond(settings.ratePerSecond()).idempotent(false),
                new EmailChannelSender(messages, smtp));
        ctx.addComponent(EmailComponent.SCHEME, new EmailComponent(messages, smtp));

        switch (settings.bounceMode()) {
            case IMAP -> {
                mailbox = MailEndpoints.imap(ctx.camelContext(), settings);
                ctx.addRoutes(new BounceMailboxRoute(mailbox.endpoint(), feedback, settings.imapProcessedFolder()));
            }
            case WEBHOOK -> ctx.addRoutes(new EventWebhookRoute(settings.webhookToken(), feedback));
            case NONE -> {
                // Only the hub's own open pixel, click and unsubscribe endpoints report back.
            }
            default -> throw new IllegalStateException(settings.bounceMode().name());
        }
        if (settings.bounceMode() == EmailSettings.BounceMode.WEBHOOK) {
            LOG.info("email: provider event webhook at {}{}", ctx.publicUrl(), EventWebhookRoute.PATH);
        }
    }

    @Override
    public void stop() throws Exception {
        try {
            if (mailbox != null) {
                mailbox.close();
            }
        } finally {
            mailbox = null;
            try {
                if (smtp != null) {
                    smtp.close();
                }
            } finally {
                smtp = null;
            }
        }
    }
}
