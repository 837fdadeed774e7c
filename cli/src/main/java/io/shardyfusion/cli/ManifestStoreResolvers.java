package io.shardyfusion.cli;

import java.util.List;

/** Every {@link ManifestStoreResolver}; a new kind of manifest store is one more entry. */
public final class ManifestStoreResolvers {
  static final List<ManifestStoreResolver> ALL = List.of(new ObjectStoreResolver());

  private ManifestStoreResolvers() {}

  /**
   * The resolver for a URL.
   *
   * @throws UsageException when none handles it
   */
  public static ManifestStoreResolver forUrl(String currentUrl) {
    for (ManifestStoreResolver r : ALL) {
      if (r.handles(currentUrl)) {
        return r;
      }
    }
    throw new UsageException("--current-url '" + currentUrl + "' is not supported; use "
        + "s3://bucket/prefix/_CURRENT or file:///dir/_CURRENT");
  }
}
