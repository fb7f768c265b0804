package io.atrium.plugins.erp;

/** Header names of the {@code erp:map} component. */
public final class ErpConstants {

    /** Out: how many events were submitted to the hub. */
    public static final String SUBMITTED = "ErpSubmitted";
    /** Out: how many records a rule left out on purpose ({@code skip}). */
    public static final String SKIPPED = "ErpSkipped";
    /** Out: how many records could not be mapped (with {@code badRecords=skip}; otherwise the exchange fails). */
    public static final String REJECTED = "ErpRejected";
    /** Out: what was wrong with each rejected record, as text naming the record and the field (a List of String). */
    public static final String PROBLEMS = "ErpProblems";

    private ErpConstants() {
    }
}
