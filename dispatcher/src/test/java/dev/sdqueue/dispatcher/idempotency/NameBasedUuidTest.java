package dev.sdqueue.dispatcher.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class NameBasedUuidTest {
    /** RFC 9562 appendix A.4 (also Python's uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com")). */
    @Test
    void matchesTheRfcExample() {
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(NameBasedUuid.v5(dns, "www.example.com"))
                .isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Test
    void versionFiveVariantTwoAndSensitiveToNamespaceAndName() {
        UUID namespace = UUID.fromString("7bac12a0-7397-4fc2-8ba6-d108d5007d68");
        UUID id = NameBasedUuid.v5(namespace, "key-1");
        assertThat(id.version()).isEqualTo(5);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(NameBasedUuid.v5(namespace, "key-1")).isEqualTo(id);
        assertThat(NameBasedUuid.v5(namespace, "key-2")).isNotEqualTo(id);
        assertThat(NameBasedUuid.v5(UUID.randomUUID(), "key-1")).isNotEqualTo(id);
    }
}
