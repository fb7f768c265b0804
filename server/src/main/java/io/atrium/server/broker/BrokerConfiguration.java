package io.atrium.server.broker;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.MetricsConfiguration;
import org.apache.activemq.artemis.core.server.metrics.ActiveMQMetricsPlugin;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jms.connection.SingleConnectionFactory;

/**
 * Settings of the embedded broker: redelivery with backoff and a dead-letter queue for Atrium's
 * queues, and broker metrics (queue depth, rates) published through the hub's Micrometer registry.
 */
@Configuration(proxyBeanMethods = false)
public class BrokerConfiguration {

    @Bean
    ArtemisConfigurationCustomizer atriumBrokerCustomizer(MeterRegistry registry) {
        return configuration -> {
            AddressSettings atrium = new AddressSettings()
                    .setDeadLetterAddress(SimpleString.of(Queues.DEAD_LETTER))
                    .setAutoCreateDeadLetterResources(false)
                    .setMaxDeliveryAttempts(10)
                    .setRedeliveryDelay(1000)
                    .setRedeliveryMultiplier(2.0)
                    .setMaxRedeliveryDelay(60_000)
                    .setAutoCreateQueues(true)
                    .setAutoCreateAddresses(true)
                    .setAutoDeleteQueues(false)
                    .setAutoDeleteAddresses(false);
            configuration.addAddressSetting("atrium.#", atrium);
            configuration.setMetricsConfiguration(new MetricsConfiguration()
                    .setPlugin(new RegistryMetricsPlugin(registry))
                    .setJvmMemory(false).setJvmGc(false).setJvmThread(false));
        };
    }

    /**
     * Artemis treats a message over {@code minLargeMessageSize} (100 KiB by default; a text
     * message counts two bytes per character) as a "large message": a file of its own with its own
     * fsync, streamed back to consumers in small chunks. A collector batch of a few hundred events
     * crosses that line, and measured with bench/run.sh the large-message path was the single
     * largest cost of the pipeline. Batches up to the collector's request limit stay in the journal.
     */
    static final int MIN_LARGE_MESSAGE_SIZE = 8 * 1024 * 1024;

    @Bean
    static BeanPostProcessor atriumLargeMessageThreshold() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                Object target = bean instanceof SingleConnectionFactory s && s.getTargetConnectionFactory() != null
                        ? s.getTargetConnectionFactory() : bean;
                if (target instanceof ActiveMQConnectionFactory artemis) {
                    artemis.setMinLargeMessageSize(MIN_LARGE_MESSAGE_SIZE);
                }
                return bean;
            }
        };
    }

    /** Hands Artemis the hub's own registry, so /actuator/prometheus shows artemis_* meters. */
    static final class RegistryMetricsPlugin implements ActiveMQMetricsPlugin {
        private static final long serialVersionUID = 1L;
        private final transient MeterRegistry registry;

        RegistryMetricsPlugin(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public ActiveMQMetricsPlugin init(Map<String, String> options) {
            return this;
        }

        @Override
        public MeterRegistry getRegistry() {
            return registry;
        }
    }
}
