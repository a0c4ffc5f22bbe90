#include "kong/protocol/protobuf_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kong::protocol {
namespace {

using ::testing::HasSubstr;

// The value of a conversion expected to succeed.
template <class T>
T ok(Result<T> converted) {
  EXPECT_TRUE(converted) << converted.error().message;
  return converted ? std::move(converted).value() : T{};
}
// The error of a conversion expected to fail.
template <class T>
std::string refused(const Result<T>& converted) {
  EXPECT_FALSE(converted);
  return converted ? "" : converted.error().message;
}

std::string encode_arguments(const MethodInfo& method, const Array& args) {
  return ok(protobuf::encode_arguments(method, args));
}
Value decode_result(const MethodInfo& method, std::string_view frame) {
  return ok(protobuf::decode_result(method, frame));
}
Array decode_arguments(const MethodInfo& method, std::string_view frame) {
  return ok(protobuf::decode_arguments(method, frame));
}
std::string encode_result(const MethodInfo& method, const Value& result) {
  return ok(protobuf::encode_result(method, result));
}

const MethodInfo& m(MethodId id) {
  return info(id);
}

// Plugin -> Kong: what Kong's Lua function receives for these arguments.
Array through_kong(MethodId id, const Array& args) {
  return decode_arguments(m(id), encode_arguments(m(id), args));
}

// Kong -> plugin: what the plugin reads for the Lua function's result.
Value back_to_plugin(MethodId id, const Value& result) {
  return decode_result(m(id), encode_result(m(id), result));
}

Value map(std::initializer_list<std::pair<const char*, Value>> entries) {
  Map out;
  for (const auto& [k, v] : entries)
    out.emplace_back(Value(k), v);
  return Value(std::move(out));
}

TEST(ProtobufCodec, StringArgumentIsTheWrappersOnlyField) {
  // String {v = "x-a"}: field 1, length-delimited, 3 bytes.
  EXPECT_EQ(encode_arguments(m(MethodId::request_get_header), Array{Value("x-a")}),
            std::string("\x0a\x03x-a", 5));
  EXPECT_EQ(through_kong(MethodId::request_get_header, Array{Value("x-a")}), Array{Value("x-a")});
}

TEST(ProtobufCodec, KeyValueUnwrapsIntoTwoArgumentsWithNumbersAsDoubles) {
  EXPECT_EQ(through_kong(MethodId::ctx_shared_set, Array{Value("n"), Value(7)}),
            (Array{Value("n"), Value(7.0)}));
}

TEST(ProtobufCodec, KongReadsFalseInAValueAsNilAndNullAsItsEnumName) {
  EXPECT_EQ(through_kong(MethodId::ctx_shared_set, Array{Value("f"), Value(false)}),
            (Array{Value("f"), Value{}}));
  EXPECT_EQ(through_kong(MethodId::ctx_shared_set, Array{Value("z"), Value{}}),
            (Array{Value("z"), Value("NULL_VALUE")}));
}

TEST(ProtobufCodec, LogArgumentsSpreadFromTheListValue) {
  EXPECT_EQ(through_kong(MethodId::log_err, Array{Value("denied:"), Value(401), Value(true)}),
            (Array{Value("denied:"), Value(401.0), Value(true)}));
}

TEST(ProtobufCodec, ExitArgumentsKeepStatusBodyAndHeadersInOrder) {
  const Value headers = map({{"X-Reason", Value(Array{Value("key")})}});
  EXPECT_EQ(
      through_kong(MethodId::response_exit, Array{Value(401), Value(Bytes{"no key"}), headers}),
      (Array{Value(401), Value(Bytes{"no key"}), headers}));
}

TEST(ProtobufCodec, AnExitWithATableBodySendsItsJsonWithKongsContentType) {
  // ExitArgs.body is bytes: the plugin writes the JSON Kong would write.
  const Array args =
      through_kong(MethodId::response_exit, Array{Value(401), map({{"message", Value("no key")}}),
                                                  map({{"WWW-Authenticate", Value("Key")}})});
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1], Value(Bytes{R"({"message":"no key"})"}));
  EXPECT_EQ(args[2], map({{"Content-Type", Value("application/json; charset=utf-8")},
                          {"WWW-Authenticate", Value("Key")}}));
}

TEST(ProtobufCodec, AnExitWithATableBodyKeepsTheContentTypeItWasGiven) {
  const Array args = through_kong(
      MethodId::response_exit, Array{Value(200), map({{"a", Value(1)}}),
                                     map({{"content-type", Value("application/problem+json")}})});
  EXPECT_EQ(args[2], map({{"content-type", Value("application/problem+json")}}));
}

TEST(ProtobufCodec, AnAbsentScalarArgumentArrivesAsItsProto3Default) {
  // lua-protobuf fills defaults: an exit without a body has body "".
  EXPECT_EQ(through_kong(MethodId::response_exit, Array{Value(204)}),
            (Array{Value(204), Value(Bytes{}), Value{}}));
}

TEST(ProtobufCodec, EntitiesTravelAsMessagesWithEveryFieldFilledIn) {
  const Value consumer = map({{"id", Value("c1")}, {"username", Value("alice")}});
  const Array args = through_kong(MethodId::client_authenticate, Array{consumer, Value{}});
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], map({{"id", Value("c1")},
                          {"created_at", Value(0)},
                          {"username", Value("alice")},
                          {"custom_id", Value("")},
                          {"tags", Value(Array{})}}));
  EXPECT_TRUE(args[1].is_nil()) << "an absent message stays nil";
}

TEST(ProtobufCodec, AnIntegerBeyond32BitsIsRefusedNamingTheArgument) {
  const std::string error = refused(protobuf::encode_arguments(
      m(MethodId::response_set_status), Array{Value(std::int64_t{1} << 40)}));
  EXPECT_THAT(error, HasSubstr("argument 1 (Int.v)"));
  EXPECT_THAT(error, HasSubstr("32-bit"));
}

TEST(ProtobufCodec, AnArgumentTheMessageHasNoFieldForIsRefused) {
  // kong.log.set_serialize_value's mode has no field in KV.
  EXPECT_THAT(refused(protobuf::encode_arguments(m(MethodId::log_set_serialize_value),
                                                 Array{Value("k"), Value(1), Value("add")})),
              HasSubstr("argument 3 (\"add\") cannot travel over ProtoBuf:1"));
}

TEST(ProtobufCodec, AFunctionWithoutAnRpcCannotBeEncoded) {
  EXPECT_FALSE(protobuf::encode_arguments(m(MethodId::cluster_get_id), Array{}));
  EXPECT_FALSE(protobuf::decode_arguments(m(MethodId::vault_get), ""));
}

TEST(ProtobufCodec, AnEmptyAnswerIsNilWhereTheResultIsOptional) {
  EXPECT_EQ(encode_result(m(MethodId::request_get_header), Value{}), "");
  EXPECT_TRUE(decode_result(m(MethodId::request_get_header), "").is_nil());
  // kong.request.get_raw_query's result is not optional: "" is its answer.
  EXPECT_EQ(decode_result(m(MethodId::request_get_raw_query), ""), Value(""));
}

TEST(ProtobufCodec, HeaderMapsComeBackAsStringsAndLists) {
  const Value headers =
      map({{"accept", Value("*/*")}, {"x-id", Value(Array{Value("1"), Value("2")})}});
  EXPECT_EQ(back_to_plugin(MethodId::request_get_headers, headers), headers);
}

TEST(ProtobufCodec, StructEncodingIsTheSameBytesWhateverTheMapOrder) {
  const Value ab = map({{"a", Value("1")}, {"b", Value("2")}});
  const Value ba = map({{"b", Value("2")}, {"a", Value("1")}});
  EXPECT_EQ(encode_result(m(MethodId::request_get_headers), ab),
            encode_result(m(MethodId::request_get_headers), ba));
}

TEST(ProtobufCodec, ConsumerResultDecodesWithProto3Defaults) {
  const Value consumer = map({{"id", Value("c1")},
                              {"username", Value("alice")},
                              {"created_at", Value(1700000000)},
                              {"ignored", Value(1)}});
  EXPECT_EQ(back_to_plugin(MethodId::client_get_consumer, consumer),
            map({{"id", Value("c1")},
                 {"created_at", Value(1700000000)},
                 {"username", Value("alice")},
                 {"custom_id", Value("")},
                 {"tags", Value(Array{})}}));
}

TEST(ProtobufCodec, UriCapturesKeepTheGroupNumbersThoughKongDropsTheWholeMatch) {
  Map unnamed;
  unnamed.emplace_back(Value(0), Value("/users/42"));
  unnamed.emplace_back(Value(1), Value("42"));
  const Value captures =
      map({{"unnamed", Value(std::move(unnamed))}, {"named", map({{"id", Value("42")}})}});
  EXPECT_EQ(back_to_plugin(MethodId::request_get_uri_captures, captures),
            map({{"unnamed", Value(Array{Value(""), Value(Bytes{"42"})})},
                 {"named", map({{"id", Value(Bytes{"42"})}})}}));
}

TEST(ProtobufCodec, RawBodyArrivesAsContent) {
  EXPECT_EQ(back_to_plugin(MethodId::request_get_raw_body, Value(Bytes{"{}"})), Value(Bytes{"{}"}));
}

TEST(ProtobufCodec, ABodyKongBufferedToAFileComesBackAsThePathForTheServerToRead) {
  // RawBodyResult {body_filepath = "/tmp/b"}: field 2, length-delimited.
  EXPECT_EQ(decode_result(m(MethodId::request_get_raw_body), std::string("\x12\x06/tmp/b", 8)),
            map({{"body_filepath", Value("/tmp/b")}}));
}

TEST(ProtobufCodec, AResultThatDoesNotFitTheOutputMessageIsRefused) {
  // A bare query flag is Lua's true, which Kong cannot encode as String.
  EXPECT_THAT(refused(protobuf::encode_result(m(MethodId::request_get_query_arg), Value(true))),
              HasSubstr("kong.request.get_query_arg result: expected a string"));
}

TEST(ProtobufCodec, UndecodableArgumentBytesNameTheMessage) {
  EXPECT_THAT(refused(protobuf::decode_arguments(m(MethodId::request_get_header),
                                                 std::string("\x0a\x09x", 3))),
              HasSubstr("3 bytes are not a kong_plugin_protocol.String message"));
}

TEST(ProtobufCodec, ValueResultsReadNumbersAsDoubles) {
  EXPECT_EQ(back_to_plugin(MethodId::ctx_shared_get,
                           map({{"n", Value(3)}, {"list", Value(Array{Value("a")})}})),
            map({{"list", Value(Array{Value("a")})}, {"n", Value(3.0)}}));
}

}  // namespace
}  // namespace kong::protocol
