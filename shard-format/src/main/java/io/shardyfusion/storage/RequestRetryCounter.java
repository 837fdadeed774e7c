package io.shardyfusion.storage;

import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Counts the retries the SDK's retry strategy makes on one S3 client: the SDK calls
 * {@code beforeExecution} once per API call and {@code beforeTransmission} once per attempt,
 * so retries = attempts - calls. Read by metrics ({@link ObjectStore#requestRetries()}).
 */
final class RequestRetryCounter implements ExecutionInterceptor {
  private final LongAdder calls = new LongAdder();
  private final LongAdder attempts = new LongAdder();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    calls.increment();
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context,
      ExecutionAttributes attributes) {
    attempts.increment();
  }

  long retries() {
    // Read attempts first: a call between the two reads can only make the result smaller.
    long a = attempts.sum();
    return Math.max(0, a - calls.sum());
  }
}
