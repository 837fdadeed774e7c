package io.shardyfusion.cli;

import io.shardyfusion.manifest.store.ManifestStore;
import io.shardyfusion.reader.ReaderConfig;
import io.shardyfusion.storage.CredentialProvider;
import io.shardyfusion.storage.ObjectStore;
import io.shardyfusion.storage.ObjectStores;
import io.shardyfusion.storage.S3ConnectionOptions;
import io.shardyfusion.storage.StaticCredentialProvider;

/**
 * The snapshot a command works on: {@code --current-url} (or {@code $SHARDY_CURRENT}), the S3
 * options and the credentials, resolved into a {@link ManifestStore} and the settings a
 * {@link io.shardyfusion.reader.ShardedReader} needs.
 */
public final class SnapshotTarget implements AutoCloseable {
  /** The environment variable read when {@code --current-url} is absent. */
  public static final String ENV = "SHARDY_CURRENT";

  private final String currentUrl;
  private final ManifestStoreResolver.Resolved resolved;
  private final ManifestStoreResolver.Access access;

  private SnapshotTarget(String currentUrl, ManifestStoreResolver.Resolved resolved,
      ManifestStoreResolver.Access access) {
    this.currentUrl = currentUrl;
    this.resolved = resolved;
    this.access = access;
  }

  /**
   * Resolves the global options; reads nothing from the store yet.
   *
   * @throws UsageException for a missing or malformed URL, bad S3 options or credentials
   */
  public static SnapshotTarget resolve(GlobalSettings settings, CliContext ctx) {
    String url = settings.currentUrl() != null ? settings.currentUrl() : ctx.env(ENV);
    if (url == null) {
      throw new UsageException("no snapshot given: pass --current-url "
          + "s3://bucket/prefix/_CURRENT (or file:///dir/_CURRENT, or "
          + "jdbc:postgresql://host/db?user=ROLE&dataset=NAME), set $" + ENV
          + " or current_url in reader.toml");
    }
    ManifestStoreResolver resolver = ManifestStoreResolvers.forUrl(url, ctx);
    ManifestStoreResolver.Access access = access(settings, ctx);
    return new SnapshotTarget(url, resolver.open(url, access), access);
  }

  /**
   * The S3 connection and credentials the shared options give (--s3-option, --credentials-file,
   * --profile): what the read commands, rollback, cleanup and {@code shardy build} use.
   *
   * @return credentials null = the AWS default chain
   * @throws UsageException for bad S3 options or a bad credentials file
   */
  public static ManifestStoreResolver.Access access(GlobalSettings settings, CliContext ctx) {
    java.nio.file.Path file = CredentialsFile.locate(settings.credentialsFile(), ctx);
    CredentialsFile.Profile profile = null;
    if (file != null) {
      profile = CredentialsFile.load(file, settings.profile() == null ? "default"
          : settings.profile(), ctx.err());
    } else if (settings.profile() != null
        && !settings.profile().equals(settings.config().credentialsProfile())) {
      // (reader.toml's credentials_profile without a credentials file: the AWS default chain,
      // as in the Python CLI)
      throw new UsageException("profile " + settings.profile() + " (--profile or reader.toml's "
          + "credentials_profile) needs a credentials file: --credentials, $"
          + CredentialsFile.PY_ENV + " or ~/.config/shardy/credentials.toml");
    }
    S3ConnectionOptions s3 = S3Options.parse(settings.s3Options(), profile);
    CredentialProvider credentials = profile == null || !profile.hasKeys() ? null
        : new StaticCredentialProvider(profile.accessKeyId(), profile.secretAccessKey(),
            profile.sessionToken());
    return new ManifestStoreResolver.Access(s3, credentials);
  }

  public String currentUrl() {
    return currentUrl;
  }

  public ManifestStore manifests() {
    return resolved.manifests();
  }

  /** The object-store prefix of the snapshots. */
  public String snapshotPrefix() {
    return resolved.snapshotPrefix();
  }

  /** A new client for the object store holding the shards (and run records); caller closes. */
  public ObjectStore openObjectStore() {
    return ObjectStores.open(snapshotPrefix(), access.s3Options(), access.credentials());
  }

  /** A reader configuration for this snapshot, to be completed with the local root. */
  public ReaderConfig.Builder readerConfig() {
    // The CLI asks for exactly one snapshot: a broken current one is an error, not a fallback.
    return ReaderConfig.builder().s3Prefix(snapshotPrefix())
        .credentialProvider(access.credentials()).s3ConnectionOptions(access.s3Options())
        .maxFallbackAttempts(0).downloadParallelism(4).blockCacheBytes(8L << 20)
        .manifestStore(resolved.readerStore());
  }

  @Override
  public void close() {
    try {
      resolved.manifests().close();
      resolved.resources().close();
    } catch (Exception e) {
      // closing connections at exit: nothing useful to do with a failure
    }
  }
}
