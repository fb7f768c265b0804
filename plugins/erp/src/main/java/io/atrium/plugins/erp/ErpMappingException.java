package io.atrium.plugins.erp;

import java.util.List;

/** Thrown by {@code erp:map} when records cannot be mapped (and {@code badRecords=fail}): nothing was submitted. */
public class ErpMappingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    ErpMappingException(List<String> problems) {
        super(message(problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    private static String message(List<String> problems) {
        StringBuilder b = new StringBuilder("erp:map: ").append(problems.size())
                .append(problems.size() == 1 ? " record cannot be mapped" : " records cannot be mapped")
                .append("; nothing was submitted: ");
        for (int i = 0; i < Math.min(10, problems.size()); i++) {
            b.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (problems.size() > 10) {
            b.append("; ...");
        }
        return b.toString();
    }

    /** Each problem, naming the record and the field. */
    public List<String> problems() {
        return problems;
    }
}
