package io.shardyfusion.writer.publish;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses one attempt per shard id. The choice depends only on the set of attempts (the
 * smallest attempt id wins), never on arrival order, so a publish step that runs twice on the
 * same results publishes the same snapshot.
 */
public final class WinnerSelector {
  private WinnerSelector() {}

  /** Winners sorted by db id. */
  public static List<ShardAttempt> winners(Collection<ShardAttempt> attempts) {
    Map<Integer, ShardAttempt> best = new TreeMap<>();
    for (ShardAttempt a : attempts) {
      best.merge(a.dbId(), a, (x, y) -> compareAttempts(x.attempt(), y.attempt()) <= 0 ? x : y);
    }
    return new ArrayList<>(best.values());
  }

  /** Numbers by value (attempts are decimal integers); older hex ids by their text. */
  static int compareAttempts(String a, String b) {
    boolean na = a.chars().allMatch(Character::isDigit);
    boolean nb = b.chars().allMatch(Character::isDigit);
    if (na && nb) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
    return na != nb ? (na ? -1 : 1) : a.compareTo(b);
  }

  /** Attempts that did not win. */
  public static List<ShardAttempt> losers(Collection<ShardAttempt> attempts,
      List<ShardAttempt> winners) {
    List<ShardAttempt> out = new ArrayList<>(attempts);
    out.removeAll(winners);
    out.sort(Comparator.comparingInt(ShardAttempt::dbId)
        .thenComparing(ShardAttempt::attempt, WinnerSelector::compareAttempts));
    return out;
  }
}
