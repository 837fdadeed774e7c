package io.shardyfusion.storage;

import io.shardyfusion.errors.ConfigValidationException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Fixed access keys, e.g. GCS HMAC keys or a MinIO user.
 *
 * <pre>{@code new StaticCredentialProvider("GOOG...", secret)}</pre>
 */
public final class StaticCredentialProvider implements CredentialProvider {
  private static final long serialVersionUID = 1L;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final String sessionToken;

  public StaticCredentialProvider(String accessKeyId, String secretAccessKey) {
    this(accessKeyId, secretAccessKey, null);
  }

  public StaticCredentialProvider(String accessKeyId, String secretAccessKey,
      String sessionToken) {
    if (accessKeyId == null || accessKeyId.isBlank()) {
      throw new ConfigValidationException("accessKeyId is empty; pass the access key id");
    }
    if (secretAccessKey == null || secretAccessKey.isBlank()) {
      throw new ConfigValidationException("secretAccessKey is empty; pass the secret key");
    }
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  @Override
  public AwsCredentialsProvider toAwsProvider() {
    return StaticCredentialsProvider.create(sessionToken == null
        ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
        : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken));
  }

  @Override
  public String toString() {
    return "StaticCredentialProvider{accessKeyId=" + accessKeyId + ", secretAccessKey=****}";
  }
}
