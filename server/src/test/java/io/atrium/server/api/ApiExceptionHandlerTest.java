package io.atrium.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

class ApiExceptionHandlerTest {

    @Test
    void anUnexpectedFailureIsA500WhoseDetailKeepsTheExceptionsTextOut() {
        ResponseEntity<ApiError> answer = new ApiExceptionHandler().unexpected(new IllegalStateException(
                "ERROR: duplicate key value violates unique constraint \"identities_type_value_key\" Detail: Key (type, value)=(email, ann@example.com)"));
        assertThat(answer.getStatusCode().value()).isEqualTo(500);
        assertThat(answer.getBody().error()).isEqualTo("internal_error");
        assertThat(answer.getBody().detail().toString()).isEqualTo("the hub failed to answer this request; its log says why")
                .doesNotContain("ann@example.com");
    }
}
