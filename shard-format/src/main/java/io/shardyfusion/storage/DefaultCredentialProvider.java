package io.shardyfusion.storage;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** The AWS SDK's default credential chain. */
public final class DefaultCredentialProvider implements CredentialProvider {
  private static final long serialVersionUID = 1L;
  static final DefaultCredentialProvider INSTANCE = new DefaultCredentialProvider();

  private DefaultCredentialProvider() {}

  @Override
  public AwsCredentialsProvider toAwsProvider() {
    return DefaultCredentialsProvider.builder().build();
  }

  private Object readResolve() {
    return INSTANCE;
  }

  @Override
  public String toString() {
    return "DefaultCredentialProvider";
  }
}
