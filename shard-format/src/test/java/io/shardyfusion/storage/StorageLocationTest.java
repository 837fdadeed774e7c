package io.shardyfusion.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardyfusion.errors.ConfigValidationException;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StorageLocationTest {

  @ParameterizedTest
  @CsvSource({
      "s3://bucket/some/path,       bucket,     some/path, s3://bucket/some/path",
      "s3://bucket/some/path/,      bucket,     some/path, s3://bucket/some/path",
      "s3://bucket/some/path///,    bucket,     some/path, s3://bucket/some/path",
      "s3://bucket,                 bucket,     '',        s3://bucket",
      "s3://bucket/,                bucket,     '',        s3://bucket",
      "s3://my.bucket-1_x/p,        my.bucket-1_x, p,      s3://my.bucket-1_x/p",
      "'  s3://bucket/p  ',         bucket,     p,         s3://bucket/p",
  })
  void parsesS3Prefixes(String prefix, String bucket, String path, String url) {
    StorageLocation loc = StorageLocation.parse(prefix);
    assertThat(loc.isS3()).isTrue();
    assertThat(loc.scheme()).isEqualTo("s3");
    assertThat(loc.bucket()).isEqualTo(bucket);
    assertThat(loc.path()).isEqualTo(path);
    assertThat(loc.url()).isEqualTo(url);
  }

  @ParameterizedTest
  @CsvSource({
      "file:///tmp/snapshots,     /tmp/snapshots",
      "file:///tmp/snapshots/,    /tmp/snapshots",
      "file:///tmp/a/../b,        /tmp/b",
      "file:/tmp/snapshots,       /tmp/snapshots",
  })
  void parsesFilePrefixes(String prefix, String dir) {
    StorageLocation loc = StorageLocation.parse(prefix);
    assertThat(loc.isS3()).isFalse();
    assertThat(loc.bucket()).isNull();
    assertThat(loc.localPath()).isEqualTo(Paths.get(dir));
    assertThat(loc.url()).isEqualTo("file://" + dir);
  }

  @Test
  void trailingSlashesDoNotMakeADifferentPrefix() {
    assertThat(StorageLocation.parse("s3://b-1/x/")).isEqualTo(StorageLocation.parse("s3://b-1/x"));
    assertThat(StorageLocation.parse("file:///d/")).isEqualTo(StorageLocation.parse("file:///d"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "s3://",                 // no bucket
      "s3:///path",            // empty bucket
      "s3://ab/p",             // bucket too short
      "s3://Bucket/p",         // upper case
      "s3://-bucket/p",        // must start with a letter or digit
      "s3://bucket/a//b",      // empty path segment
      "gs://bucket/p",         // unsupported scheme
      "bucket/p",              // no scheme
      "/tmp/snapshots",        // a path, not a URL
      "file:relative/dir",     // not absolute
      "file://host/dir",       // a host, not a local path
  })
  void malformedPrefixesAreRejectedNamingThePrefix(String prefix) {
    assertThatThrownBy(() -> StorageLocation.parse(prefix))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("'" + prefix + "'")
        .hasMessageContaining("s3://bucket/path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void emptyPrefixesAreRejected(String prefix) {
    assertThatThrownBy(() -> StorageLocation.parse(prefix))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void nullPrefixIsRejected() {
    assertThatThrownBy(() -> StorageLocation.parse(null))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("'null'");
  }

  @Test
  void anS3LocationHasNoLocalPath() {
    assertThatThrownBy(() -> StorageLocation.parse("s3://bucket/p").localPath())
        .isInstanceOf(io.shardyfusion.errors.ConfigValidationException.class)
        .hasMessageContaining("s3://bucket/p");
  }
}
