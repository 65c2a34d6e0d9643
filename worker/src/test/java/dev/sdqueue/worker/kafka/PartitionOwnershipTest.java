package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A claim on a record holds while its partition stays assigned without a revocation in between. */
class PartitionOwnershipTest {
    private static final TopicPartition P0 = new TopicPartition("req", 0);
    private static final TopicPartition P1 = new TopicPartition("req", 1);

    @Test
    void aClaimBreaksWhenItsPartitionIsRevokedEvenIfItComesBack() {
        PartitionOwnership ownership = new PartitionOwnership();
        ownership.onPartitionsAssigned(null, List.of(P0, P1));
        PartitionOwnership.Claim onP0 = ownership.claim("req", 0);
        PartitionOwnership.Claim onP1 = ownership.claim("req", 1);
        assertThat(onP0.held()).isTrue();

        ownership.onPartitionsRevoked(null, List.of(P0));
        assertThat(onP0.held()).isFalse();
        assertThat(onP1.held()).isTrue();
        ownership.onPartitionsAssigned(null, List.of(P0));

        assertThat(onP0.held()).as("a redelivered copy may be running: this one must not finish").isFalse();
        assertThat(ownership.claim("req", 0).held()).isTrue();
    }

    @Test
    void aRecordOfAPartitionNotAssignedIsNotHeld() {
        assertThat(new PartitionOwnership().claim("req", 0).held()).isFalse();
    }
}
