#include "server/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace centinela {
namespace {

TEST(EngineConfig, ParsesAndResolvesPathsAgainstTheConfigFile) {
  auto c = ParseEngineConfig(R"(
kafka: {bootstrap: "127.0.0.1:9092", embedded_partitions: 3}
storage: {path: db}
rules: {pack: ../rules/peru.yaml}
fx: {file: /etc/fx.yaml}
)",
                             "/opt/centinela/conf/engine.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(c->embedded_partitions, 3);
  EXPECT_EQ(c->data_dir, "/opt/centinela/conf/db");
  EXPECT_EQ(c->pack_path, "/opt/centinela/rules/peru.yaml");
  EXPECT_EQ(c->fx_path, "/etc/fx.yaml");
  EXPECT_EQ(c->input_topic, "fiu.transactions");  // default
}

TEST(EngineConfig, ErrorsNameFileLineColumnAndKey) {
  auto unknown = ParseEngineConfig("kafka:\n  bootsrap: x\nrules: {pack: p}\nfx: {file: f}\n", "engine.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::StartsWith("engine.yaml:2:3: unknown field 'bootsrap' in kafka (expected one of: bootstrap,"));
  auto bad_int = ParseEngineConfig("engine: {batch_max_records: lots}\nrules: {pack: p}\nfx: {file: f}\n", "e.yaml");
  ASSERT_FALSE(bad_int.ok());
  EXPECT_EQ(bad_int.status().message(), "e.yaml:1:29: engine.batch_max_records: invalid value 'lots'");
  auto no_pack = ParseEngineConfig("fx: {file: f}\n", "e.yaml");
  EXPECT_EQ(no_pack.status().message(), "e.yaml: rules.pack is required (path to a rule pack)");
  auto syntax = ParseEngineConfig("kafka: [\n", "e.yaml");
  EXPECT_NE(syntax.status().message().find("YAML syntax error"), std::string::npos);
  EXPECT_FALSE(ParseEngineConfig("kafka: {embedded_partitions: 0}\nrules: {pack: p}\nfx: {file: f}", "e").ok());
}

TEST(EngineConfig, ApiSectionNeedsTokensAndAPort) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto ok = ParseEngineConfig(base + "api: {listen: '127.0.0.1:8470', tokens: t.yaml}\n", "/etc/c/e.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->api_listen, "127.0.0.1:8470");
  EXPECT_EQ(ok->api_tokens_path, "/etc/c/t.yaml");  // relative to the config file
  auto open = ParseEngineConfig(base + "api: {listen: '127.0.0.1:8470'}\n", "e.yaml");
  ASSERT_FALSE(open.ok());
  EXPECT_THAT(std::string(open.status().message()), ::testing::HasSubstr("api.tokens is required"));
  auto no_port = ParseEngineConfig(base + "api: {listen: localhost, tokens: t.yaml}\n", "e.yaml");
  EXPECT_THAT(std::string(no_port.status().message()),
              ::testing::StartsWith("e.yaml:3:15: api.listen: expected host:port"));
  auto unknown = ParseEngineConfig(base + "api: {port: 80}\n", "e.yaml");
  EXPECT_THAT(std::string(unknown.status().message()), ::testing::HasSubstr("unknown field 'port' in api"));
}

TEST(EngineConfig, ValidationBoundsEventTimes) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto c = ParseEngineConfig(base + "validation: {event_time_min: 2000-01-01, event_time_max_ahead: 6h}\n", "e.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->validation.min_event_micros, 10957 * kMicrosPerDay);
  EXPECT_EQ(c->validation.max_event_ahead_micros, 6 * kMicrosPerHour);
  auto defaults = ParseEngineConfig(base, "e.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->validation.min_event_micros, 7305 * kMicrosPerDay);  // 1990-01-01
  EXPECT_EQ(defaults->validation.max_event_ahead_micros, kMicrosPerDay);
  EXPECT_THAT(
      std::string(ParseEngineConfig(base + "validation: {event_time_min: 1990-13-01}\n", "e.yaml").status().message()),
      ::testing::StartsWith("e.yaml:3:30: validation.event_time_min:"));
  EXPECT_THAT(
      std::string(ParseEngineConfig(base + "validation: {event_time_max_ahead: soon}\n", "e.yaml").status().message()),
      ::testing::StartsWith("e.yaml:3:36: validation.event_time_max_ahead:"));
}

TEST(EngineConfig, ValidationBoundsAmountsPerCurrency) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto c = ParseEngineConfig(base +
                                 "validation: {max_amount_usd: \"5000000\", max_amount: {PEN: \"20,000,000\", "
                                 "JPY: \"800000000\"}}\n",
                             "e.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->validation.max_amount_usd_minor, 500000000);
  EXPECT_EQ(c->validation.max_amount_minor.at(Currency::Pen().packed()), 2000000000);
  EXPECT_EQ(c->validation.max_amount_minor.at(Currency::FromCode("JPY")->packed()), 800000000);  // no decimals
  for (const std::string bad : {"validation: {max_amount_usd: \"-1\"}", "validation: {max_amount_usd: lots}",
                                "validation: {max_amount: {pen: \"1\"}}", "validation: {max_amount: {PEN: \"0\"}}",
                                "validation: {max_amount: [1]}", "validation: {max_amount_usd: \"1e20\"}"}) {
    auto r = ParseEngineConfig(base + bad + "\n", "e.yaml");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), ::testing::StartsWith("e.yaml:3:")) << r.status();
  }
}

TEST(EngineConfig, ListReloadsAreConfinedToListDirectories) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto c = ParseEngineConfig(base + "screening: {list_dirs: [lists, /srv/lists], max_list_bytes: 1048576}\n",
                             "/etc/centinela/engine.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->list_dirs_configured);
  EXPECT_THAT(c->list_dirs, ::testing::ElementsAre("/etc/centinela/lists", "/srv/lists"));
  EXPECT_EQ(c->max_list_bytes, 1048576);
  auto defaults = ParseEngineConfig(base, "e.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults->list_dirs_configured);  // the configured lists' directories
  EXPECT_EQ(defaults->max_list_bytes, 256 << 20);
  EXPECT_FALSE(ParseEngineConfig(base + "screening: {list_dirs: lists}\n", "e.yaml").ok());
  EXPECT_FALSE(ParseEngineConfig(base + "screening: {max_list_bytes: 10}\n", "e.yaml").ok());
}

TEST(EngineConfig, SuppressionDaysDefaultAndRange) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  EXPECT_EQ(ParseEngineConfig(base, "e.yaml")->suppression_days, 365);
  EXPECT_EQ(ParseEngineConfig(base + "screening: {suppression_days: 90}\n", "e.yaml")->suppression_days, 90);
  auto zero = ParseEngineConfig(base + "screening: {suppression_days: 0}\n", "e.yaml");
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), ::testing::HasSubstr("screening.suppression_days must be 1 to 1098"));
  EXPECT_FALSE(ParseEngineConfig(base + "screening: {suppression_days: 5000}\n", "e.yaml").ok());
}

// Issue 17, defect 8: in engine.yaml a duplicate key was accepted, the first
// value winning.
TEST(EngineConfig, ADuplicateKeyIsAnErrorAtItsPosition) {
  auto top = ParseEngineConfig("rules: {pack: p}\nfx: {file: f}\nrules: {pack: q}\n", "e.yaml");
  EXPECT_EQ(top.status().message(), "e.yaml:3:1: duplicate key 'rules' (first at line 1, column 1)");
  auto nested = ParseEngineConfig("rules: {pack: p}\nfx: {file: f}\nkafka:\n  group_id: a\n  group_id: b\n", "e.yaml");
  EXPECT_EQ(nested.status().message(), "e.yaml:5:3: duplicate key 'group_id' (first at line 4, column 3)");
  auto in_list = ParseEngineConfig(
      "rules: {pack: p}\nfx: {file: f}\nscreening:\n  lists:\n    - {name: a, name: b, format: un, path: x}\n",
      "e.yaml");
  EXPECT_THAT(std::string(in_list.status().message()), ::testing::StartsWith("e.yaml:5:"));
  EXPECT_THAT(std::string(in_list.status().message()), ::testing::HasSubstr("duplicate key 'name'"));
}

// Found by fuzz/connectors/csv_mapping_fuzzer.cc: a key that is itself a
// list or a mapping threw out of the key check of every YAML reader.
TEST(EngineConfig, AKeyThatIsNotANameIsAnErrorAtItsPosition) {
  auto config = ParseEngineConfig("rules: {pack: p}\nfx: {file: f}\n? [a, b]\n: 1\n", "e.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), ::testing::StartsWith("e.yaml:3:3: a key in"));
  EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("must be a plain name"));
}

TEST(EngineConfig, KafkaPropertiesPassThroughToLibrdkafka) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto c = ParseEngineConfig(base + R"(kafka:
  bootstrap: kafka-1.example:9093
  properties:
    security.protocol: SASL_SSL
    sasl.mechanism: SCRAM-SHA-512
    sasl.username: centinela
    sasl.password: secret
    ssl.ca.location: /etc/ssl/certs/ca-certificates.crt
)",
                             "e.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kafka_properties.size(), 5u);
  EXPECT_EQ(c->kafka_properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c->kafka_properties.at("sasl.mechanism"), "SCRAM-SHA-512");
}

TEST(EngineConfig, KafkaPropertiesTheEngineOwnsOrLibrdkafkaRejectsAreNamed) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto reserved = ParseEngineConfig(base + "kafka:\n  properties:\n    group.id: other\n", "e.yaml");
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.status().message(),
            "e.yaml:5:5: kafka.properties.group.id: the engine sets this itself: set kafka.group_id instead");
  auto auto_commit = ParseEngineConfig(base + "kafka:\n  properties:\n    enable.auto.commit: 'true'\n", "e.yaml");
  EXPECT_THAT(std::string(auto_commit.status().message()),
              ::testing::StartsWith("e.yaml:5:5: kafka.properties.enable.auto.commit: the engine sets this itself"));
  auto unknown = ParseEngineConfig(base + "kafka:\n  properties:\n    sasl.mechanizm: PLAIN\n", "e.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::AllOf(::testing::StartsWith("e.yaml:5:5: kafka.properties.sasl.mechanizm: "),
                               ::testing::HasSubstr("No such configuration property")));
  auto bad_value = ParseEngineConfig(base + "kafka:\n  properties:\n    security.protocol: TLS\n", "e.yaml");
  EXPECT_THAT(std::string(bad_value.status().message()),
              ::testing::StartsWith("e.yaml:5:5: kafka.properties.security.protocol: "));
  auto not_map = ParseEngineConfig(base + "kafka:\n  properties: [a, b]\n", "e.yaml");
  EXPECT_THAT(std::string(not_map.status().message()),
              ::testing::HasSubstr("kafka.properties: a mapping of librdkafka property to value"));
}

TEST(EngineConfig, AllowedLatenessAndIdleTimeoutAreBounded) {
  const std::string base = "rules: {pack: p}\nfx: {file: f}\n";
  auto defaults = ParseEngineConfig(base, "e.yaml");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->allowed_lateness_micros, int64_t{3600} * 1000000);  // 1h
  EXPECT_EQ(defaults->idle_timeout_ms, 30000);
  auto day = ParseEngineConfig(base + "engine: {allowed_lateness: 24h, idle_timeout_ms: 5000}\n", "e.yaml");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(day->allowed_lateness_micros, int64_t{86400} * 1000000);
  EXPECT_EQ(day->idle_timeout_ms, 5000);
  auto zero = ParseEngineConfig(base + "engine: {allowed_lateness: 0}\n", "e.yaml");
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ(zero->allowed_lateness_micros, 0);
  for (const char* bad : {"31d", "soon", "-1h"}) {
    auto c = ParseEngineConfig(base + "engine: {allowed_lateness: " + bad + "}\n", "e.yaml");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_THAT(std::string(c.status().message()),
                ::testing::StartsWith("e.yaml:3:28: engine.allowed_lateness: 0 or a duration up to 30d"))
        << bad;
  }
  auto idle = ParseEngineConfig(base + "engine: {idle_timeout_ms: -1}\n", "e.yaml");
  EXPECT_THAT(std::string(idle.status().message()), ::testing::HasSubstr("engine.idle_timeout_ms must be 0 to"));
}

TEST(EngineConfig, MissingFileIsNamed) {
  EXPECT_EQ(LoadEngineConfig("/nope/engine.yaml").status().message(), "/nope/engine.yaml: cannot open config file");
}

}  // namespace
}  // namespace centinela
