package io.atrium.server.intake;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.message.Messages;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class IntakeConfiguration {

    /** Registered in the Camel registry under its bean name, which is the URI scheme. */
    @Bean("atrium")
    AtriumComponent atriumComponent(EventIntake intake, ObjectMapper mapper, EventValidator validator,
                                    ObjectProvider<Messages> messages, jakarta.jms.ConnectionFactory connectionFactory,
                                    org.springframework.jdbc.core.JdbcTemplate jdbc) {
        return new AtriumComponent(intake, mapper, validator, messages::getObject,
                (uri, component) -> new io.atrium.server.segment.SegmentEventsEndpoint(uri, component, connectionFactory, mapper, jdbc));
    }
}
