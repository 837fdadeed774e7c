package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.testing.S3ProxyExtension;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The test fixture itself: one shared server per JVM, and a clear error when misconfigured. */
@UsesS3Proxy
class S3ProxyServerTest {

  @Test
  void theExtensionHandsOutTheSharedRunningServer(S3ProxyServer s3) {
    assertThat(s3).isSameAs(S3ProxyServer.shared()).isSameAs(S3ProxyExtension.server());
    assertThat(s3.isRunning()).isTrue();
    assertThat(s3.endpoint()).startsWith("http://127.0.0.1:").endsWith(":" + s3.port());
    assertThat(s3.logFile()).exists();
  }

  @Test
  void createBucketIsIdempotentAndMakesABucketTheStoreCanUse(S3ProxyServer s3) {
    String bucket = s3.createUniqueBucket("fixture");
    s3.createBucket(bucket);
    // The filesystem backend keeps one directory per bucket.
    assertThat(Files.isDirectory(s3.dataDir().resolve(bucket))).isTrue();
  }

  @Test
  void aMissingJarPropertySaysHowToRunTheBuild() {
    String saved = System.getProperty(S3ProxyServer.JAR_PROPERTY);
    System.clearProperty(S3ProxyServer.JAR_PROPERTY);
    try {
      assertThatThrownBy(S3ProxyServer::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(S3ProxyServer.JAR_PROPERTY)
          .hasMessageContaining("repository root with Maven");
    } finally {
      if (saved != null) {
        System.setProperty(S3ProxyServer.JAR_PROPERTY, saved);
      }
    }
  }
}
