package io.atrium.server.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Everything under {@code atrium.profiles.*}: the profile stage and identity resolution. */
@ConfigurationProperties("atrium.profiles")
public class ProfileProperties {

    /** Country calling code (digits, e.g. 380) given to a phone number written without one; empty: such numbers are skipped. */
    private String defaultPhoneCountryCode = "";
    /** Consumer threads of the events queue in this hub (each applies its own batches). */
    private int consumers = 2;
    private final Batch batch = new Batch();
    private final Merge merge = new Merge();

    public String getDefaultPhoneCountryCode() { return defaultPhoneCountryCode; }
    public void setDefaultPhoneCountryCode(String v) { this.defaultPhoneCountryCode = v; }
    public int getConsumers() { return consumers; }
    public void setConsumers(int consumers) { this.consumers = consumers; }
    public Batch getBatch() { return batch; }
    public Merge getMerge() { return merge; }

    public static class Batch {
        /** Most queue messages taken into one database transaction. */
        private int maxMessages = 200;
        /** Stop adding messages to a batch once it holds this many events. */
        private int maxEvents = 2000;
        /** How long to wait for more messages once a batch has started. */
        private Duration maxWait = Duration.ofMillis(20);

        public int getMaxMessages() { return maxMessages; }
        public void setMaxMessages(int maxMessages) { this.maxMessages = maxMessages; }
        public int getMaxEvents() { return maxEvents; }
        public void setMaxEvents(int maxEvents) { this.maxEvents = maxEvents; }
        public Duration getMaxWait() { return maxWait; }
        public void setMaxWait(Duration maxWait) { this.maxWait = maxWait; }
    }

    public static class Merge {
        /** Identity types of which a profile may hold only one value: two profiles with different values never merge. */
        private List<String> neverMergeDifferent = new ArrayList<>(List.of("user_id"));

        public List<String> getNeverMergeDifferent() { return neverMergeDifferent; }
        public void setNeverMergeDifferent(List<String> v) { this.neverMergeDifferent = v; }
    }
}
