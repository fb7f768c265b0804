package io.atrium.server.intake;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class IntakeConfiguration {

    /** Registered in the Camel registry under its bean name, which is the URI scheme. */
    @Bean("atrium")
    AtriumComponent atriumComponent(EventIntake intake, ObjectMapper mapper, EventValidator validator) {
        return new AtriumComponent(intake, mapper, validator);
    }
}
