package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What {@code ./sdq demo} reads from the dispatcher's answers (bodies as {@code GET /v1/generations/{id}} sends). */
class JobViewTest {

    @Test
    void aQueuedJobShowsItsStatusOnly() {
        JobView job = JobView.parse("{\"id\":\"j1\",\"status\":\"queued\",\"request\":{\"prompt\":\"a\"}}");

        assertThat(job.shown()).isEqualTo("queued");
        assertThat(job.terminal()).isFalse();
        assertThat(job.imageUrls()).isEmpty();
    }

    @Test
    void aRunningJobShowsItsStepOfTheTotal() {
        JobView job = JobView.parse("{\"id\":\"j1\",\"status\":\"running\",\"attempt\":1,\"worker\":\"w\","
                + "\"progress\":{\"step\":3,\"totalSteps\":20}}");

        assertThat(job.shown()).isEqualTo("running step 3/20");
        assertThat(job.terminal()).isFalse();
    }

    @Test
    void aSucceededJobListsItsImageUrlsInOrder() {
        JobView job = JobView.parse("{\"id\":\"j1\",\"status\":\"succeeded\",\"images\":[{\"index\":0,\"key\":\"k0\","
                + "\"url\":\"http://127.0.0.1:9000/b/0.png?X-Amz-Signature=a\"},{\"index\":1,\"url\":\"http://h/1.png\"}],"
                + "\"updatedAt\":\"2026-01-01T00:00:00Z\"}");

        assertThat(job.terminal()).isTrue();
        assertThat(job.succeeded()).isTrue();
        assertThat(job.imageUrls()).containsExactly("http://127.0.0.1:9000/b/0.png?X-Amz-Signature=a", "http://h/1.png");
    }

    @Test
    void aFailedJobGivesReasonAndMessage() {
        JobView job = JobView.parse("{\"id\":\"j1\",\"status\":\"failed\",\"error\":{\"reason\":\"expired\","
                + "\"message\":\"deadline passed\",\"retriable\":false}}");

        assertThat(job.terminal()).isTrue();
        assertThat(job.succeeded()).isFalse();
        assertThat(job.failure()).isEqualTo("expired: deadline passed");
        assertThat(JobView.parse("{\"status\":\"failed\"}").failure()).isEqualTo("unknown: ");
    }

    @Test
    void theIdOfAnAcceptedJob() {
        assertThat(JobView.id("{\"id\":\"3f1c\",\"status\":\"queued\"}")).isEqualTo("3f1c");
        assertThatThrownBy(() -> JobView.id("{\"status\":\"queued\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no job id");
        assertThatThrownBy(() -> JobView.parse("<html>bad gateway</html>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> JobView.parse("[1]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a JSON object");
    }

    @Test
    void aProblemIsTitleDetailAndOneLinePerFieldError() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Invalid generation request\",\"status\":400,"
                + "\"detail\":\"2 problem(s)\",\"errors\":[{\"field\":\"steps\",\"message\":\"must be from 1 to 150\"},"
                + "{\"field\":\"width\",\"message\":\"must be a multiple of 8\"}]}";

        assertThat(JobView.problem(problem)).isEqualTo("Invalid generation request - 2 problem(s)\n"
                + "  steps: must be from 1 to 150\n  width: must be a multiple of 8");
        assertThat(JobView.problem("upstream down\n")).isEqualTo("upstream down");
        assertThat(JobView.problem("")).isEqualTo("(empty body)");
    }
}
