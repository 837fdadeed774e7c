package io.shardyfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which log format and level bin/shardy picks from its arguments and environment. */
class LogOptionsTest {
  @AfterEach
  void clear() {
    System.clearProperty(LogOptions.FORMAT_PROPERTY);
    System.clearProperty(LogOptions.LEVEL_PROPERTY);
    System.clearProperty("log4j2.configurationFile");
  }

  private static String[] prepared(Map<String, String> env, String... args) {
    LogOptions.prepare(args, env);
    return new String[] {System.getProperty(LogOptions.FORMAT_PROPERTY),
        System.getProperty(LogOptions.LEVEL_PROPERTY)};
  }

  @Test
  void textAndWarnUnlessAsked() {
    assertThat(prepared(Map.of(), "get", "1")).containsExactly("text", "warn");
    assertThat(System.getProperty("log4j2.configurationFile")).isNull();
  }

  @Test
  void theOptionInEitherSpellingWinsOverTheEnvironment() {
    assertThat(prepared(Map.of("SHARDY_LOG_FORMAT", "text"), "--log-format=json", "info"))
        .containsExactly("json", "warn");
    assertThat(System.getProperty("log4j2.configurationFile"))
        .as("the runners bundle's JSON layout").isEqualTo("log4j2-json.properties");
    clear();
    assertThat(prepared(Map.of(), "-v", "--log-format", "JSON", "info"))
        .containsExactly("json", "info");
    clear();
    assertThat(prepared(Map.of("SHARDY_LOG_FORMAT", "json"), "info"))
        .containsExactly("json", "warn");
  }

  @Test
  void theLevelVariableWinsOverVerboseAndABadFormatStaysText() {
    assertThat(prepared(Map.of("SHARDY_LOG_LEVEL", "debug"), "-v", "--log-format=xml", "get"))
        .containsExactly("text", "debug");
  }
}
