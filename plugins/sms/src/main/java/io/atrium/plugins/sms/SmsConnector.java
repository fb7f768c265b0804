package io.atrium.plugins.sms;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.Connector;
import io.atrium.plugin.api.ConnectorContext;

import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sms channel: sends the hub's messages over SMPP (camel-smpp) or an HTTP gateway, and reports
 * delivery receipts and replies back. Also contributes the {@code sms:send} Camel component.
 *
 * <p>SMPP has no idempotency key and HTTP gateways rarely have one, so the channel is not
 * idempotent: a message interrupted by a crash is not sent twice.
 */
@Extension
public class SmsConnector implements Connector {

    /** The channel name and the component's scheme. */
    public static final String CHANNEL = "sms";

    private static final Logger LOG = LoggerFactory.getLogger(SmsConnector.class);

    private volatile SmsGateway gateway;

    @Override
    public ConfigSpec configSpec() {
        return SmsConfig.SPEC;
    }

    @Override
    public void start(ConnectorContext ctx) throws Exception {
        SmsConfig.Settings settings = SmsConfig.parse(ctx.config());
        LOG.info("sms: starting with {}", SmsConfig.shown(ctx.config()));
        SmsGateway g = settings instanceof SmppSettings smpp ? new SmppGateway(smpp)
                : new HttpGateway((HttpSettings) settings, ctx.publicUrl());
        gateway = g;
        g.open(ctx);
        ChannelFeedback feedback = ctx.registerChannel(CHANNEL, ChannelOptions.addressedBy("phone")
                .ratePerSecond(settings.ratePerSecond())
                .idempotent(false), g);
        ctx.addComponent(CHANNEL, new SmsComponent(g));
        g.listen(ctx, feedback);
    }

    @Override
    public void stop() {
        SmsGateway g = gateway;
        gateway = null;
        if (g != null) {
            g.close();
        }
    }
}
