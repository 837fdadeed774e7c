package io.shardyfusion.cli;

import io.shardyfusion.errors.ConfigValidationException;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.S3Settings;
import java.util.List;

/**
 * {@code --s3-option key=value} settings ({@link S3Settings}, the one spelling shared with the
 * example), on top of a credentials profile's endpoint and region.
 */
public final class S3Options {
  private S3Options() {}

  /** The option names {@code --s3-option} accepts. */
  public static List<String> keys() {
    return S3Settings.keys();
  }

  /**
   * Builds connection options: the profile's endpoint and region first (may be null), then each
   * {@code key=value} in order, so the command line wins.
   *
   * @throws UsageException for an unknown key, a missing '=' or a bad value
   */
  public static S3ConnectionOptions parse(List<String> options, CredentialsFile.Profile profile) {
    S3ConnectionOptions.Builder b = S3ConnectionOptions.builder();
    try {
      if (profile != null && profile.endpointUrl() != null) {
        b.endpointUrl(profile.endpointUrl());
      }
      if (profile != null && profile.region() != null) {
        b.region(profile.region());
      }
      return S3Settings.apply(b, options).build();
    } catch (S3Settings.BadSettingException e) {
      throw new UsageException(e.getMessage(), e);
    } catch (ConfigValidationException e) {
      throw new UsageException("--s3-option: " + e.getMessage(), e);
    }
  }
}
