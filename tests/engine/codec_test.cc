#include "engine/codec/decoder.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

TEST(Decoder, DecodesBinaryProtobuf) {
  v1::Transaction in = testing::MakeTx("t-1", testing::DayMicros(testing::kJan5), 4200);
  v1::Transaction out;
  ASSERT_TRUE(DecodeTransaction(in.SerializeAsString(), kContentTypeProtobuf, &out).ok());
  EXPECT_EQ(out.id(), "t-1");
  EXPECT_EQ(out.amount().minor_units(), 4200);
}

TEST(Decoder, DecodesProtobufJsonWithEnumNamesAndStringInt64) {
  const std::string json = R"({"id":"t-2","event_time":"2026-01-05T12:00:00Z","channel":"CASH",
    "operation":"DEPOSIT","amount":{"minor_units":"950000","currency":"USD"},"unknown_future_field":1})";
  v1::Transaction out;
  absl::Status s = DecodeTransaction(json, "application/json; charset=utf-8", &out);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(out.channel(), v1::CASH);
  EXPECT_EQ(out.amount().minor_units(), 950000);
}

TEST(Decoder, SniffsJsonWithoutContentType) {
  v1::Transaction out;
  EXPECT_TRUE(DecodeTransaction(R"({"id":"t-3"})", "", &out).ok());
  EXPECT_EQ(out.id(), "t-3");
}

TEST(Decoder, RejectsBadJsonGarbageAndUnknownContentType) {
  v1::Transaction out;
  absl::Status bad_json = DecodeTransaction(R"({"id": "x", "amount": {)", kContentTypeJson, &out);
  EXPECT_NE(bad_json.message().find("decode: invalid JSON"), std::string::npos) << bad_json;
  EXPECT_EQ(bad_json.message().find('\n'), absl::string_view::npos) << "a reason is one line";
  absl::Status garbage = DecodeTransaction(std::string("\xff\xfe\x00\x13garbage", 11), kContentTypeProtobuf, &out);
  EXPECT_NE(garbage.message().find("decode: not a valid protobuf"), std::string::npos) << garbage;
  absl::Status ct = DecodeTransaction("x", "text/csv", &out);
  EXPECT_NE(ct.message().find("unsupported content-type"), std::string::npos) << ct;
  EXPECT_FALSE(DecodeTransaction("", kContentTypeProtobuf, &out).ok());
}

TEST(Decoder, ClearsThePreviousMessage) {
  v1::Transaction out = testing::MakeTx("old", 0);
  ASSERT_TRUE(DecodeTransaction(R"({"id":"new"})", kContentTypeJson, &out).ok());
  EXPECT_FALSE(out.has_amount());
}

}  // namespace
}  // namespace centinela
