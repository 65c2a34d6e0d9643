package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.worker.job.JobAttempt;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A claim on a record holds while its partition stays assigned without a revocation in between; a terminal event
 * written under it fences the revocation.
 */
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
    void aRevocationWaitsForATerminalEventBeingWrittenAndNoneIsWrittenAfterIt() throws Exception {
        PartitionOwnership ownership = new PartitionOwnership();
        ownership.onPartitionsAssigned(null, List.of(P0));
        PartitionOwnership.Claim claim = ownership.claim("req", 0);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean revoked = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            try {
                claim.whileHeld(() -> {
                    writing.countDown();
                    release.await();
                    return null;
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        publisher.start();
        writing.await();
        Thread revoker = new Thread(() -> {
            ownership.onPartitionsRevoked(null, List.of(P0));
            revoked.set(true);
        });
        revoker.start();

        revoker.join(300);
        assertThat(revoked).as("the revocation waits while the event is being written").isFalse();
        release.countDown();
        revoker.join(5_000);
        publisher.join(5_000);
        assertThat(revoked).isTrue();
        assertThatThrownBy(() -> claim.whileHeld(() -> "late")).as("nothing is written after the revocation")
                .isInstanceOf(JobAttempt.NoLongerOursException.class);
    }

    @Test
    void aRecordOfAPartitionNotAssignedIsNotHeld() {
        assertThat(new PartitionOwnership().claim("req", 0).held()).isFalse();
    }
}
