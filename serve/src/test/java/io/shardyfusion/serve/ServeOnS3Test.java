package io.shardyfusion.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardyfusion.routing.KeyEncoding;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;
import io.shardyfusion.testing.S3ProxyServer;
import io.shardyfusion.testing.UsesS3Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot on a real S3 API (S3Proxy), served and refreshed over HTTP. */
@UsesS3Proxy
class ServeOnS3Test {
  @TempDir Path tmp;

  @Test
  void servesAndRefreshesASnapshotOnS3(S3ProxyServer s3) throws Exception {
    String bucket = s3.createUniqueBucket("serve");
    Published p = new Published("s3://" + bucket + "/snapshots/ids", KeyEncoding.RAW, tmp,
        new StaticCredentialProvider(s3.accessKey(), s3.secretKey()),
        S3ConnectionOptions.builder().endpointUrl(s3.endpoint()).addressingStyle("path")
            .region(s3.region()).build());
    p.publish("s1", List.of("k1", "k2"));
    try (SnapshotServer server = SnapshotServer.builder().port(0)
        .snapshot("ids", p.currentUrl(), p.opener("ids")).build().start()) {
      assertThat(server.awaitReady(Duration.ofMinutes(1))).isTrue();
      Http http = new Http(server.baseUrl());
      // raw keys are typed hex:/0x/base64: in paths, as on the command line ("k1" = 6b31).
      assertThat(http.get("/v1/ids/keys/hex:6b31").text()).isEqualTo("s1:k1");
      Http.Answer untyped = http.get("/v1/ids/keys/k1");
      assertThat(untyped.status()).isEqualTo(400);
      assertThat(untyped.json().get("message").asText()).contains("raw").contains("hex:");
      assertThat(http.post("/v1/ids/multiget", "[\"0x6b32\", \"base64:azM=\"]").json()
          .get("found").asInt()).isEqualTo(1);
      assertThat(http.get("/v1/ids/info").json().get("current_url").asText())
          .startsWith("s3://" + bucket);
      p.publish("s2", List.of("k1", "k2", "k3"));
      assertThat(http.post("/v1/ids/refresh", "").json().get("run_id").asText())
          .isEqualTo("s2");
      assertThat(http.get("/v1/ids/keys/hex:6b33").text()).isEqualTo("s2:k3");
    }
  }
}
