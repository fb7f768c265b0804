package io.atrium.server.broker;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.ConnectionFactory;

import io.atrium.server.support.HubTestSupport;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.connection.SingleConnectionFactory;

class BrokerConfigurationIT extends HubTestSupport {

    @Autowired
    ConnectionFactory connectionFactory;

    @Autowired
    BrokerStatus broker;

    @Test
    void eventBatchesUpToTheCollectorLimitStayOutOfTheLargeMessagePath() {
        Object target = connectionFactory instanceof SingleConnectionFactory s ? s.getTargetConnectionFactory() : connectionFactory;
        assertThat(target).isInstanceOf(ActiveMQConnectionFactory.class);
        // 500 KB of JSON is at most 1 MB as a text message (two bytes per character), with room for what the hub adds.
        assertThat(((ActiveMQConnectionFactory) target).getMinLargeMessageSize()).isGreaterThanOrEqualTo(4 * 1024 * 1024);
    }

    @Test
    void atriumQueuesRedeliverWithBackoffAndDeadLetter() {
        var settings = broker.embeddedServer().orElseThrow().getAddressSettingsRepository().getMatch(Queues.EVENTS);
        assertThat(settings.getDeadLetterAddress().toString()).isEqualTo(Queues.DEAD_LETTER);
        assertThat(settings.getMaxDeliveryAttempts()).isEqualTo(10);
        assertThat(settings.getRedeliveryDelay()).isEqualTo(1000);
        assertThat(settings.getRedeliveryMultiplier()).isEqualTo(2.0);
    }
}
