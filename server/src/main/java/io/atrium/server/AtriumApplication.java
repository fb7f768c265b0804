package io.atrium.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Atrium hub. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class AtriumApplication {

    public static void main(String[] args) {
        SpringApplication.run(AtriumApplication.class, args);
    }
}
