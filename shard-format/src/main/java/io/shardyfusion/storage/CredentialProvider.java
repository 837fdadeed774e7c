package io.shardyfusion.storage;

import java.io.Serializable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Where S3 credentials come from. Serializable so that Beam workers can rebuild the client;
 * implementations never print secrets in {@code toString()}.
 */
public interface CredentialProvider extends Serializable {

  /** The AWS SDK provider to sign requests with. */
  AwsCredentialsProvider toAwsProvider();

  /** The SDK's default chain: environment, system properties, profile files, instance role. */
  static CredentialProvider defaultChain() {
    return DefaultCredentialProvider.INSTANCE;
  }
}
