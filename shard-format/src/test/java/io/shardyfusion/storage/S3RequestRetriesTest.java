package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.shardyfusion.errors.StorageException;
import io.shardyfusion.testing.IntegrationTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The store counts the SDK's retries (for the s3 retries metric): an endpoint that answers
 * 500 to every request is tried maxAttempts times per call. An integration test: the SDK's
 * backoff makes it take seconds.
 */
@IntegrationTest
class S3RequestRetriesTest {

  @Test
  void everyAttemptAfterTheFirstIsARetry() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    server.start();
    try (S3ObjectStore store = new S3ObjectStore(StorageLocation.parse("s3://bucket/p"),
        S3ConnectionOptions.builder().endpointUrl("http://127.0.0.1:"
            + server.getAddress().getPort()).addressingStyle("path").region("us-east-1")
            .maxAttempts(3).build(), new StaticCredentialProvider("ak", "sk"))) {
      assertThat(store.requestRetries()).isZero();
      assertThatThrownBy(() -> store.get("k")).isInstanceOf(StorageException.class);
      assertThat(requests.get()).isEqualTo(3);
      assertThat(store.requestRetries()).isEqualTo(2);
    } finally {
      server.stop(0);
    }
  }
}
