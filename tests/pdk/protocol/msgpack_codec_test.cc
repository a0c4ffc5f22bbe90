#include "kong/protocol/msgpack_codec.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "pdk/test_values.h"

namespace kong::protocol {
namespace {

using test::Encode;
using test::Hex;
using test::Raw;
using test::StrMap;

using Packer = msgpack::packer<msgpack::sbuffer>;

Value Decode(std::string_view bytes) {
  auto r = msgpack_decode(bytes);
  EXPECT_TRUE(r.ok()) << "decoding " << Hex(bytes) << ": " << r.error().message;
  return r.ok() ? r.value() : Value{};
}

std::string DecodeError(std::string_view bytes, std::size_t base = 0,
                        const MsgpackLimits& limits = {}) {
  auto r = msgpack_decode(bytes, base, limits);
  if (r.ok())
    return "decoded " + Hex(bytes) + " to " + to_debug_string(r.value());
  return r.error().message;
}

Array Ints(std::size_t n) {
  Array a;
  for (std::size_t i = 0; i < n; ++i)
    a.emplace_back(static_cast<std::int64_t>(i % 300));
  return a;
}

Map IntKeyed(std::size_t n) {
  Map m;
  for (std::size_t i = 0; i < n; ++i) {
    m.emplace_back(static_cast<std::int64_t>(i), std::to_string(i));
  }
  return m;
}

std::string Binary(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(i * 7);
  return s;
}

// Values at every boundary between MessagePack forms, of every type.
std::vector<Value> Samples() {
  std::vector<Value> v = {Value{}, Value(true), Value(false)};
  for (std::int64_t i :
       std::initializer_list<std::int64_t>{0LL,
                                           1LL,
                                           127LL,
                                           128LL,
                                           255LL,
                                           256LL,
                                           65535LL,
                                           65536LL,
                                           4294967295LL,
                                           4294967296LL,
                                           std::numeric_limits<std::int64_t>::max(),
                                           -1LL,
                                           -32LL,
                                           -33LL,
                                           -128LL,
                                           -129LL,
                                           -32768LL,
                                           -32769LL,
                                           -2147483648LL,
                                           -2147483649LL,
                                           std::numeric_limits<std::int64_t>::min()}) {
    v.emplace_back(i);
  }
  for (double d : {0.0, 1.5, -2.25, 1e300, -1e-300, std::numeric_limits<double>::infinity()}) {
    v.emplace_back(d);
  }
  for (std::size_t n : {0, 1, 31, 32, 255, 256, 65535, 65536}) {
    v.emplace_back(std::string(n, 'x'));
    v.emplace_back(Bytes{Binary(n)});
  }
  v.emplace_back("h\xc3\xa9llo, \xe4\xb8\x96\xe7\x95\x8c");
  for (std::size_t n : {0, 1, 15, 16, 65535, 65536}) {
    v.emplace_back(Ints(n));
    v.emplace_back(IntKeyed(n));
  }
  v.push_back(StrMap({{"Method", "kong.request.get_header"},
                      {"Args", Array{"host", Value{}, 1.5, Bytes{Raw({0x00, 0xff})}}},
                      {"Nested", StrMap({{"a", Array{Array{}, Map{}}}})}}));
  return v;
}

// Packs `v` with msgpack-c, choosing forms as msgpack-c does, except for
// doubles: msgpack-c writes an integral double as an integer, so those are
// written as float64 by hand to keep the value's type.
void Pack(msgpack::sbuffer& buf, const Value& v) {
  struct Visitor {
    msgpack::sbuffer& buf;
    Packer pk{buf};
    void operator()(const Nil&) { pk.pack_nil(); }
    void operator()(bool b) { b ? pk.pack_true() : pk.pack_false(); }
    void operator()(std::int64_t i) { pk.pack_int64(i); }
    void operator()(double d) {
      std::string float64 = Raw({0xcb});
      const auto bits = std::bit_cast<std::uint64_t>(d);
      for (int shift = 56; shift >= 0; shift -= 8)
        float64.push_back(static_cast<char>(bits >> shift));
      buf.write(float64.data(), float64.size());
    }
    void operator()(const std::string& s) {
      pk.pack_str(static_cast<std::uint32_t>(s.size()));
      pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
    }
    void operator()(const Bytes& b) {
      pk.pack_bin(static_cast<std::uint32_t>(b.data.size()));
      pk.pack_bin_body(b.data.data(), static_cast<std::uint32_t>(b.data.size()));
    }
    void operator()(const Array& a) {
      pk.pack_array(static_cast<std::uint32_t>(a.size()));
      for (const auto& e : a)
        Pack(buf, e);
    }
    void operator()(const Map& m) {
      pk.pack_map(static_cast<std::uint32_t>(m.size()));
      for (const auto& [k, e] : m) {
        Pack(buf, k);
        Pack(buf, e);
      }
    }
  };
  std::visit(Visitor{buf}, v.variant());
}

std::string PackWithMsgpackC(const std::function<void(Packer&)>& pack) {
  msgpack::sbuffer buf;
  Packer pk(buf);
  pack(pk);
  return std::string(buf.data(), buf.size());
}

std::string PackWithMsgpackC(const Value& v) {
  msgpack::sbuffer buf;
  Pack(buf, v);
  return std::string(buf.data(), buf.size());
}

// What msgpack-c decoded, as our Value, for comparison.
Value FromObject(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return Value{};
    case msgpack::type::BOOLEAN:
      return Value(o.via.boolean);
    case msgpack::type::POSITIVE_INTEGER:
      if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Value(static_cast<double>(o.via.u64));
      }
      return Value(static_cast<std::int64_t>(o.via.u64));
    case msgpack::type::NEGATIVE_INTEGER:
      return Value(static_cast<std::int64_t>(o.via.i64));
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return Value(o.via.f64);
    case msgpack::type::STR:
      return Value(std::string(o.via.str.ptr, o.via.str.size));
    case msgpack::type::BIN:
      return Value(Bytes{std::string(o.via.bin.ptr, o.via.bin.size)});
    case msgpack::type::EXT:
      return Value(Bytes{std::string(o.via.ext.data(), o.via.ext.size)});
    case msgpack::type::ARRAY: {
      Array a;
      for (std::uint32_t i = 0; i < o.via.array.size; ++i)
        a.push_back(FromObject(o.via.array.ptr[i]));
      return Value(std::move(a));
    }
    case msgpack::type::MAP: {
      Map m;
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        m.emplace_back(FromObject(o.via.map.ptr[i].key), FromObject(o.via.map.ptr[i].val));
      }
      return Value(std::move(m));
    }
  }
  return Value("unknown msgpack-c object type");
}

std::string Describe(const Value& v) {
  const std::string s = to_debug_string(v);
  return s.size() > 80 ? s.substr(0, 80) + "..." : s;
}

TEST(MsgpackCodec, RoundTripsEveryTypeAtEveryFormBoundary) {
  for (const Value& v : Samples()) {
    EXPECT_EQ(Decode(Encode(v)), v) << Describe(v);
    EXPECT_EQ(Decode(Encode(v, StrForm::kong)), v) << Describe(v) << " (kong form)";
  }
}

TEST(MsgpackCodec, RoundTripsNotANumber) {
  const Value decoded = Decode(Encode(Value(std::nan(""))));
  ASSERT_TRUE(decoded.is_double()) << to_debug_string(decoded);
  EXPECT_TRUE(std::isnan(decoded.as_double()));
}

TEST(MsgpackCodec, EncodesByteForByteAsMsgpackCPacks) {
  for (const Value& v : Samples()) {
    const std::string theirs = PackWithMsgpackC(v);
    const std::string ours = Encode(v);
    EXPECT_TRUE(ours == theirs) << Describe(v) << "\n ours:       " << Hex(ours).substr(0, 60)
                                << "\n msgpack-c: " << Hex(theirs).substr(0, 60);
  }
}

TEST(MsgpackCodec, EncodesWhatMsgpackCUnpacksToTheSameValue) {
  for (const Value& v : Samples()) {
    for (StrForm form : {StrForm::compact, StrForm::kong}) {
      const std::string bytes = Encode(v, form);
      const msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
      EXPECT_EQ(FromObject(oh.get()), v) << Describe(v);
    }
  }
}

TEST(MsgpackCodec, DecodesWhatMsgpackCPacks) {
  for (const Value& v : Samples()) {
    const std::string bytes = PackWithMsgpackC(v);
    EXPECT_EQ(Decode(bytes), v) << Describe(v);
  }
}

struct PackedForm {
  const char* form;
  int tag;  // the first byte msgpack-c must have written
  std::function<void(Packer&)> pack;
  Value expected;
};

TEST(MsgpackCodec, DecodesEveryFormMsgpackCWrites) {
  const std::string s40(40, 's'), s300(300, 't'), s70k(70000, 'u');
  const std::string b4 = Binary(4), b300 = Binary(300), b70k = Binary(70000);
  auto str = [](const std::string& s) {
    return [s](Packer& pk) {
      pk.pack_str(static_cast<std::uint32_t>(s.size()));
      pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
    };
  };
  auto bin = [](const std::string& s) {
    return [s](Packer& pk) {
      pk.pack_bin(static_cast<std::uint32_t>(s.size()));
      pk.pack_bin_body(s.data(), static_cast<std::uint32_t>(s.size()));
    };
  };
  auto ext = [](const std::string& s) {
    return [s](Packer& pk) {
      pk.pack_ext(s.size(), 7);
      pk.pack_ext_body(s.data(), static_cast<std::uint32_t>(s.size()));
    };
  };
  auto array = [](std::size_t n) {
    return [n](Packer& pk) {
      pk.pack_array(static_cast<std::uint32_t>(n));
      for (const auto& e : Ints(n))
        pk.pack_int64(e.as_int());
    };
  };
  auto map = [](std::size_t n) {
    return [n](Packer& pk) {
      pk.pack_map(static_cast<std::uint32_t>(n));
      for (const auto& [k, e] : IntKeyed(n)) {
        pk.pack_int64(k.as_int());
        pk.pack_str(static_cast<std::uint32_t>(e.as_string().size()));
        pk.pack_str_body(e.as_string().data(), static_cast<std::uint32_t>(e.as_string().size()));
      }
    };
  };
  const PackedForm forms[] = {
      {"positive fixint", 0x05, [](Packer& pk) { pk.pack_int8(5); }, Value(5)},
      {"negative fixint", 0xfb, [](Packer& pk) { pk.pack_int8(-5); }, Value(-5)},
      {"uint8", 0xcc, [](Packer& pk) { pk.pack_fix_uint8(5); }, Value(5)},
      {"uint16", 0xcd, [](Packer& pk) { pk.pack_fix_uint16(65000); }, Value(65000)},
      {"uint32", 0xce, [](Packer& pk) { pk.pack_fix_uint32(4000000000u); }, Value(4000000000LL)},
      {"uint64", 0xcf, [](Packer& pk) { pk.pack_fix_uint64(1ULL << 40); }, Value(1LL << 40)},
      {"uint64 beyond int64", 0xcf,
       [](Packer& pk) { pk.pack_fix_uint64(std::numeric_limits<std::uint64_t>::max()); },
       Value(18446744073709551615.0)},
      {"int8", 0xd0, [](Packer& pk) { pk.pack_fix_int8(-100); }, Value(-100)},
      {"int16", 0xd1, [](Packer& pk) { pk.pack_fix_int16(-30000); }, Value(-30000)},
      {"int32", 0xd2, [](Packer& pk) { pk.pack_fix_int32(-2000000000); }, Value(-2000000000)},
      {"int64", 0xd3, [](Packer& pk) { pk.pack_fix_int64(-(1LL << 40)); }, Value(-(1LL << 40))},
      {"float32", 0xca, [](Packer& pk) { pk.pack_float(1.5f); }, Value(1.5)},
      {"float64", 0xcb, [](Packer& pk) { pk.pack_double(-0.125); }, Value(-0.125)},
      {"fixstr", 0xa3, str("abc"), Value("abc")},
      {"str8", 0xd9, str(s40), Value(s40)},
      {"str16", 0xda, str(s300), Value(s300)},
      {"str32", 0xdb, str(s70k), Value(s70k)},
      {"bin8", 0xc4, bin(b4), Value(Bytes{b4})},
      {"bin16", 0xc5, bin(b300), Value(Bytes{b300})},
      {"bin32", 0xc6, bin(b70k), Value(Bytes{b70k})},
      {"fixarray", 0x93, array(3), Value(Ints(3))},
      {"array16", 0xdc, array(20), Value(Ints(20))},
      {"array32", 0xdd, array(70000), Value(Ints(70000))},
      {"fixmap", 0x82, map(2), Value(IntKeyed(2))},
      {"map16", 0xde, map(20), Value(IntKeyed(20))},
      {"map32", 0xdf, map(70000), Value(IntKeyed(70000))},
      {"fixext1", 0xd4, ext(Binary(1)), Value(Bytes{Binary(1)})},
      {"fixext2", 0xd5, ext(Binary(2)), Value(Bytes{Binary(2)})},
      {"fixext4", 0xd6, ext(Binary(4)), Value(Bytes{Binary(4)})},
      {"fixext8", 0xd7, ext(Binary(8)), Value(Bytes{Binary(8)})},
      {"fixext16", 0xd8, ext(Binary(16)), Value(Bytes{Binary(16)})},
      {"ext8", 0xc7, ext(Binary(3)), Value(Bytes{Binary(3)})},
      {"ext16", 0xc8, ext(Binary(300)), Value(Bytes{Binary(300)})},
      {"ext32", 0xc9, ext(Binary(70000)), Value(Bytes{Binary(70000)})},
      {"nil", 0xc0, [](Packer& pk) { pk.pack_nil(); }, Value{}},
      {"false", 0xc2, [](Packer& pk) { pk.pack_false(); }, Value(false)},
      {"true", 0xc3, [](Packer& pk) { pk.pack_true(); }, Value(true)},
  };
  for (const auto& f : forms) {
    const std::string bytes = PackWithMsgpackC(f.pack);
    ASSERT_FALSE(bytes.empty()) << f.form;
    EXPECT_EQ(static_cast<std::uint8_t>(bytes[0]), f.tag)
        << f.form << ": msgpack-c wrote " << Hex(bytes.substr(0, 8));
    EXPECT_EQ(Decode(bytes), f.expected) << f.form;
  }
}

struct DecodeCase {
  const char* form;
  std::string bytes;
  Value expected;
};

TEST(MsgpackCodec, DecodesEveryFormIncludingLongerOnesThanNeeded) {
  const DecodeCase cases[] = {
      {"positive fixint 0", Raw({0x00}), Value(0)},
      {"positive fixint 127", Raw({0x7f}), Value(127)},
      {"negative fixint -1", Raw({0xff}), Value(-1)},
      {"negative fixint -32", Raw({0xe0}), Value(-32)},
      {"uint8", Raw({0xcc, 0xff}), Value(255)},
      {"uint8 small", Raw({0xcc, 0x01}), Value(1)},
      {"uint16", Raw({0xcd, 0xff, 0xfe}), Value(65534)},
      {"uint32", Raw({0xce, 0xff, 0xff, 0xff, 0xff}), Value(4294967295LL)},
      {"uint64", Raw({0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
       Value(std::numeric_limits<std::int64_t>::max())},
      {"uint64 above int64", Raw({0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0}), Value(9223372036854775808.0)},
      {"int8", Raw({0xd0, 0x80}), Value(-128)},
      {"int8 positive", Raw({0xd0, 0x7f}), Value(127)},
      {"int16", Raw({0xd1, 0x80, 0x00}), Value(-32768)},
      {"int32", Raw({0xd2, 0x80, 0, 0, 0}), Value(-2147483648LL)},
      {"int64", Raw({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}),
       Value(std::numeric_limits<std::int64_t>::min())},
      {"float32", Raw({0xca, 0x3f, 0xc0, 0x00, 0x00}), Value(1.5)},
      {"float64", Raw({0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18}),
       Value(3.141592653589793)},
      {"fixstr empty", Raw({0xa0}), Value("")},
      {"fixstr", Raw({0xa3, 'a', 'b', 'c'}), Value("abc")},
      {"str8", Raw({0xd9, 0x03, 'a', 'b', 'c'}), Value("abc")},
      {"str16", Raw({0xda, 0x00, 0x03, 'a', 'b', 'c'}), Value("abc")},
      {"str32", Raw({0xdb, 0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'}), Value("abc")},
      {"bin8 empty", Raw({0xc4, 0x00}), Value(Bytes{""})},
      {"bin8", Raw({0xc4, 0x02, 0x00, 0xff}), Value(Bytes{Raw({0x00, 0xff})})},
      {"bin16", Raw({0xc5, 0x00, 0x02, 0x00, 0xff}), Value(Bytes{Raw({0x00, 0xff})})},
      {"bin32", Raw({0xc6, 0, 0, 0, 0x02, 0x00, 0xff}), Value(Bytes{Raw({0x00, 0xff})})},
      {"fixarray empty", Raw({0x90}), Value(Array{})},
      {"fixarray", Raw({0x92, 0x01, 0xa1, 'x'}), Value(Array{1, "x"})},
      {"array16", Raw({0xdc, 0x00, 0x02, 0x01, 0x02}), Value(Array{1, 2})},
      {"array32", Raw({0xdd, 0, 0, 0, 0x02, 0x01, 0x02}), Value(Array{1, 2})},
      {"fixmap empty", Raw({0x80}), Value(Map{})},
      {"fixmap", Raw({0x81, 0xa1, 'a', 0x01}), StrMap({{"a", 1}})},
      {"map16", Raw({0xde, 0x00, 0x01, 0xa1, 'a', 0x01}), StrMap({{"a", 1}})},
      {"map32", Raw({0xdf, 0, 0, 0, 0x01, 0xa1, 'a', 0x01}), StrMap({{"a", 1}})},
      {"fixext1", Raw({0xd4, 0x01, 0xaa}), Value(Bytes{Raw({0xaa})})},
      {"fixext2", Raw({0xd5, 0x01, 0xaa, 0xbb}), Value(Bytes{Raw({0xaa, 0xbb})})},
      {"fixext4", Raw({0xd6, 0x01, 1, 2, 3, 4}), Value(Bytes{Raw({1, 2, 3, 4})})},
      {"fixext8", Raw({0xd7, 0x01, 1, 2, 3, 4, 5, 6, 7, 8}),
       Value(Bytes{Raw({1, 2, 3, 4, 5, 6, 7, 8})})},
      {"fixext16", Raw({0xd8, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
       Value(Bytes{Raw({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})})},
      {"ext8", Raw({0xc7, 0x03, 0x05, 'a', 'b', 'c'}), Value(Bytes{"abc"})},
      {"ext8 empty", Raw({0xc7, 0x00, 0x05}), Value(Bytes{""})},
      {"ext16", Raw({0xc8, 0x00, 0x03, 0x05, 'a', 'b', 'c'}), Value(Bytes{"abc"})},
      {"ext32", Raw({0xc9, 0, 0, 0, 0x03, 0x05, 'a', 'b', 'c'}), Value(Bytes{"abc"})},
      {"nil", Raw({0xc0}), Value{}},
      {"false", Raw({0xc2}), Value(false)},
      {"true", Raw({0xc3}), Value(true)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Decode(c.bytes), c.expected) << c.form << ": " << Hex(c.bytes);
    // msgpack-c reads the same bytes the same way.
    const msgpack::object_handle oh = msgpack::unpack(c.bytes.data(), c.bytes.size());
    EXPECT_EQ(FromObject(oh.get()), c.expected) << c.form << " (msgpack-c)";
  }
}

struct EncodeCase {
  Value value;
  std::string expected_prefix;  // the tag and length fields
};

void ExpectEncodings(const std::vector<EncodeCase>& cases, StrForm form) {
  for (const auto& c : cases) {
    const std::string got = Encode(c.value, form);
    EXPECT_EQ(Hex(got.substr(0, c.expected_prefix.size())), Hex(c.expected_prefix))
        << Describe(c.value);
  }
}

TEST(MsgpackCodec, EncodesIntegersInTheSmallestForm) {
  ExpectEncodings(
      {
          {Value(0), Raw({0x00})},
          {Value(127), Raw({0x7f})},
          {Value(128), Raw({0xcc, 0x80})},
          {Value(255), Raw({0xcc, 0xff})},
          {Value(256), Raw({0xcd, 0x01, 0x00})},
          {Value(65536), Raw({0xce, 0x00, 0x01, 0x00, 0x00})},
          {Value(4294967296LL), Raw({0xcf, 0, 0, 0, 0x01, 0, 0, 0, 0})},
          {Value(-1), Raw({0xff})},
          {Value(-32), Raw({0xe0})},
          {Value(-33), Raw({0xd0, 0xdf})},
          {Value(-129), Raw({0xd1, 0xff, 0x7f})},
          {Value(-32769), Raw({0xd2, 0xff, 0xff, 0x7f, 0xff})},
          {Value(-2147483649LL), Raw({0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff})},
          {Value(1.5), Raw({0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0})},
      },
      StrForm::compact);
}

TEST(MsgpackCodec, CompactFormWritesStringsInTheSmallestForm) {
  ExpectEncodings(
      {
          {Value(""), Raw({0xa0})},
          {Value(std::string(31, 'x')), Raw({0xbf})},
          {Value(std::string(32, 'x')), Raw({0xd9, 0x20})},
          {Value(std::string(255, 'x')), Raw({0xd9, 0xff})},
          {Value(std::string(256, 'x')), Raw({0xda, 0x01, 0x00})},
          {Value(std::string(65535, 'x')), Raw({0xda, 0xff, 0xff})},
          {Value(std::string(65536, 'x')), Raw({0xdb, 0x00, 0x01, 0x00, 0x00})},
      },
      StrForm::compact);
}

TEST(MsgpackCodec, KongFormWritesStringsOf32BytesOrMoreAsStr16NeverStr8) {
  ExpectEncodings(
      {
          {Value(""), Raw({0xa0})},
          {Value(std::string(31, 'x')), Raw({0xbf})},
          {Value(std::string(32, 'x')), Raw({0xda, 0x00, 0x20})},
          {Value(std::string(255, 'x')), Raw({0xda, 0x00, 0xff})},
          {Value(std::string(256, 'x')), Raw({0xda, 0x01, 0x00})},
          {Value(std::string(65536, 'x')), Raw({0xdb, 0x00, 0x01, 0x00, 0x00})},
          {Value(Array{std::string(40, 'x')}), Raw({0x91, 0xda, 0x00, 0x28})},
          {Value(Map{{Value(std::string(33, 'k')), Value(1)}}), Raw({0x81, 0xda, 0x00, 0x21})},
      },
      StrForm::kong);
}

TEST(MsgpackCodec, KongFormDoesNotChangeBinForms) {
  ExpectEncodings({{Value(Bytes{std::string(40, 'x')}), Raw({0xc4, 0x28})}}, StrForm::kong);
}

TEST(MsgpackCodec, WritesBytesAsBinWhateverTheirLength) {
  ExpectEncodings(
      {
          {Value(Bytes{""}), Raw({0xc4, 0x00})},
          {Value(Bytes{"a"}), Raw({0xc4, 0x01, 'a'})},
          {Value(Bytes{std::string(255, 'x')}), Raw({0xc4, 0xff})},
          {Value(Bytes{std::string(256, 'x')}), Raw({0xc5, 0x01, 0x00})},
          {Value(Bytes{std::string(65536, 'x')}), Raw({0xc6, 0x00, 0x01, 0x00, 0x00})},
      },
      StrForm::compact);
}

TEST(MsgpackCodec, WritesArraysAndMapsInTheSmallestForm) {
  ExpectEncodings(
      {
          {Value(Array{}), Raw({0x90})},
          {Value(Ints(15)), Raw({0x9f})},
          {Value(Ints(16)), Raw({0xdc, 0x00, 0x10})},
          {Value(Ints(65536)), Raw({0xdd, 0x00, 0x01, 0x00, 0x00})},
          {Value(Map{}), Raw({0x80})},
          {Value(IntKeyed(15)), Raw({0x8f})},
          {Value(IntKeyed(16)), Raw({0xde, 0x00, 0x10})},
          {Value(IntKeyed(65536)), Raw({0xdf, 0x00, 0x01, 0x00, 0x00})},
      },
      StrForm::compact);
}

TEST(MsgpackCodec, KeepsIntegerMapKeysInWireOrder) {
  // URI captures arrive keyed by position: {1: "a", 0: "b"}.
  const std::string bytes = Raw({0x82, 0x01, 0xa1, 'a', 0x00, 0xa1, 'b'});
  const Value decoded = Decode(bytes);
  EXPECT_EQ(decoded, Value(Map{{Value(1), Value("a")}, {Value(0), Value("b")}}));
  EXPECT_EQ(Encode(decoded), bytes);
  EXPECT_EQ(decoded.find("1"), nullptr) << "an integer key is not the string key \"1\"";
}

TEST(MsgpackCodec, RefusesTheNeverUsedTagNamingItsByte) {
  EXPECT_EQ(DecodeError(Raw({0xc1})), "byte 0: 0xc1 is not a MessagePack type");
  EXPECT_EQ(DecodeError(Raw({0x93, 0x01, 0x02, 0xc1})), "byte 3: 0xc1 is not a MessagePack type");
  EXPECT_EQ(DecodeError(Raw({0x92, 0x01, 0xc1}), 100), "byte 102: 0xc1 is not a MessagePack type");
}

TEST(MsgpackCodec, RefusesTruncatedValuesNamingWhereTheMissingValueStarts) {
  struct Case {
    std::string bytes;
    std::string error;
  };
  const Case cases[] = {
      {"", "byte 0: value truncated"},
      {Raw({0xcd, 0x01}), "byte 0: value truncated"},
      {Raw({0xda, 0x00}), "byte 0: value truncated"},
      {Raw({0xa5, 'a', 'b'}), "byte 0: value truncated"},
      {Raw({0x92, 0x01}), "byte 2: value truncated"},
      {Raw({0x82, 0xa1, 'a', 0x01, 0xa1, 'b'}), "byte 6: value truncated"},
      {Raw({0x91, 0xc4, 0x05, 'a'}), "byte 1: value truncated"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(DecodeError(c.bytes), c.error) << Hex(c.bytes);
}

TEST(MsgpackCodec, RefusesBytesAfterTheValue) {
  EXPECT_EQ(DecodeError(Raw({0x01, 0x02, 0x03}), 10),
            "byte 11: 2 bytes after the end of the value");
}

TEST(MsgpackCodec, RefusesNestingDeeperThanTheLimit) {
  MsgpackLimits limits;
  limits.max_depth = 3;
  // Arrays at depths 0..3 are allowed; the item at depth 4 is not.
  auto ok = msgpack_decode(Raw({0x91, 0x91, 0x91, 0x91, 0x90}).substr(1), 0, limits);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok.value(), Value(Array{Array{Array{Array{}}}}));
  EXPECT_EQ(DecodeError(Raw({0x91, 0x91, 0x91, 0x91, 0x01}), 0, limits),
            "byte 4: nesting deeper than 3");
  EXPECT_EQ(DecodeError(Raw({0x91, 0x91, 0x91, 0x91, 0x01}), 50, limits),
            "byte 54: nesting deeper than 3");
}

TEST(MsgpackCodec, RefusesDeclaredSizesOverTheLimitNamingTheItem) {
  MsgpackLimits limits;
  limits.max_message_bytes = 16;
  struct Case {
    const char* what;
    std::string bytes;
    std::string error;
  };
  const Case cases[] = {
      {"str32", Raw({0xdb, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: declared length exceeds the 16-byte limit"},
      {"bin32 in an array", Raw({0x91, 0xc6, 0x00, 0x10, 0x00, 0x00}),
       "byte 1: declared length exceeds the 16-byte limit"},
      {"array32", Raw({0xdd, 0xff, 0xff, 0xff, 0xff}),
       "byte 0: declared length exceeds the 16-byte limit"},
      {"map32", Raw({0xdf, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: declared length exceeds the 16-byte limit"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(DecodeError(c.bytes, 0, limits), c.error) << c.what;
}

TEST(MsgpackCodec, DescribesValuesForDiagnostics) {
  EXPECT_EQ(to_debug_string(StrMap({{"a", Array{1, Value{}, true, 1.5, Bytes{"\x01"}}}})),
            R"({"a": [1, nil, true, 1.5, b"\x01"]})");
  EXPECT_EQ(type_name(Value(Bytes{})), "bytes");
  EXPECT_EQ(type_name(Value(1.5)), "number");
  EXPECT_EQ(type_name(Value(1)), "integer");
}

// ---- MsgpackScanner ---------------------------------------------------------

TEST(MsgpackScanner, FindsTheEndOfTheFirstValueOnly) {
  const std::string first = Encode(StrMap({{"a", Array{1, "two", Bytes{"3"}}}}));
  MsgpackScanner scanner;
  EXPECT_EQ(scanner.feed(first + Raw({0x01, 0xc1})), MsgpackScanner::State::complete);
  EXPECT_EQ(scanner.size(), first.size());
}

TEST(MsgpackScanner, ResumesWhereItStoppedAsBytesArrive) {
  const std::string bytes =
      Encode(Array{0, "kong.request.get_header", StrMap({{"k", Array{1.5, Bytes{"xyz"}}}}),
                   std::string(300, 's'), Map{}});
  MsgpackScanner scanner;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_EQ(scanner.feed(std::string_view(bytes).substr(0, n)), MsgpackScanner::State::need_more)
        << "after " << n << " of " << bytes.size() << " bytes";
  }
  EXPECT_EQ(scanner.feed(bytes), MsgpackScanner::State::complete);
  EXPECT_EQ(scanner.size(), bytes.size());
}

TEST(MsgpackScanner, RefusesADeclaredStringLongerThanTheLimitBeforeItArrives) {
  MsgpackScanner scanner(MsgpackLimits{1024, 256});
  // Only the 5-byte header of a 1 MB str32 has arrived.
  EXPECT_EQ(scanner.feed(Raw({0xdb, 0x00, 0x10, 0x00, 0x00})), MsgpackScanner::State::error);
  EXPECT_EQ(scanner.error(), "byte 0: message larger than the 1024-byte limit");
}

TEST(MsgpackScanner, RefusesHugeDeclaredSizesOfEveryKindAtOnce) {
  struct Case {
    const char* what;
    std::string header;
    std::string error;
  };
  const Case cases[] = {
      {"str32", Raw({0xdb, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: message larger than the 1024-byte limit"},
      {"bin32", Raw({0xc6, 0xff, 0xff, 0xff, 0xff}),
       "byte 0: message larger than the 1024-byte limit"},
      {"ext32", Raw({0xc9, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: message larger than the 1024-byte limit"},
      {"array32", Raw({0xdd, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: message larger than the 1024-byte limit"},
      {"map32", Raw({0xdf, 0x00, 0x10, 0x00, 0x00}),
       "byte 0: message larger than the 1024-byte limit"},
      {"array16 of more elements than bytes allowed", Raw({0xdc, 0x08, 0x00}),
       "byte 0: message larger than the 1024-byte limit"},
      {"str16 inside a request", Raw({0x94, 0x00, 0x01, 0xda, 0x08, 0x00}),
       "byte 3: message larger than the 1024-byte limit"},
  };
  for (const auto& c : cases) {
    MsgpackScanner scanner(MsgpackLimits{1024, 256});
    EXPECT_EQ(scanner.feed(c.header), MsgpackScanner::State::error) << c.what;
    EXPECT_EQ(scanner.error(), c.error) << c.what;
  }
}

TEST(MsgpackScanner, RefusesAMessageWhosePartsTogetherExceedTheLimit) {
  MsgpackScanner scanner(MsgpackLimits{16, 256});
  // [10-byte str, 10-byte str]: the second string ends at byte 23.
  const std::string bytes = Encode(Array{std::string(10, 'a'), std::string(10, 'b')});
  EXPECT_EQ(scanner.feed(bytes), MsgpackScanner::State::error);
  EXPECT_EQ(scanner.error(), "byte 12: message larger than the 16-byte limit");
}

TEST(MsgpackScanner, AcceptsAMessageOfExactlyTheLimit) {
  const std::string bytes = Encode(std::string(14, 'a'));  // fixstr: 15 bytes
  MsgpackScanner scanner(MsgpackLimits{bytes.size(), 256});
  EXPECT_EQ(scanner.feed(bytes), MsgpackScanner::State::complete) << scanner.error();
}

TEST(MsgpackScanner, RefusesTheNeverUsedTag) {
  MsgpackScanner scanner;
  EXPECT_EQ(scanner.feed(Raw({0x92, 0x01, 0xc1})), MsgpackScanner::State::error);
  EXPECT_EQ(scanner.error(), "byte 2: 0xc1 is not a MessagePack type");
}

TEST(MsgpackScanner, RefusesNestingAsDeepAsTheDecoderDoes) {
  MsgpackScanner deep(MsgpackLimits{1024, 3});
  EXPECT_EQ(deep.feed(Raw({0x91, 0x91, 0x91, 0x91, 0x01})), MsgpackScanner::State::error);
  EXPECT_EQ(deep.error(), "byte 4: nesting deeper than 3");
  MsgpackScanner allowed(MsgpackLimits{1024, 3});
  EXPECT_EQ(allowed.feed(Raw({0x91, 0x91, 0x91, 0x90})), MsgpackScanner::State::complete)
      << allowed.error();
}

TEST(MsgpackScanner, ScansTheNextValueAfterReset) {
  MsgpackScanner scanner;
  ASSERT_EQ(scanner.feed(Raw({0x92, 0x01})), MsgpackScanner::State::need_more);
  scanner.reset();
  EXPECT_EQ(scanner.feed(Raw({0xa1, 'x'})), MsgpackScanner::State::complete);
  EXPECT_EQ(scanner.size(), 2u);
}

TEST(MsgpackReader, ReadsEachItemOfAMessageInOrderWhereItLies) {
  const std::string bytes =
      Encode(Value(Array{Value(1), Value(-200), Value(Nil{}),
                         Value(Map{{Value("k"), Value(Bytes{"raw"})},
                                   {Value(std::string(40, 'x')), Value(Array{Value(true)})}})}));
  MsgpackReader in(bytes);
  std::size_t n = 0;
  std::int64_t i = 0;
  std::string_view text;
  Value v;
  ASSERT_TRUE(in.array(n));
  EXPECT_EQ(n, 4u);
  ASSERT_TRUE(in.integer(i));
  EXPECT_EQ(i, 1);
  ASSERT_TRUE(in.integer(i));
  EXPECT_EQ(i, -200);
  EXPECT_TRUE(in.nil());
  ASSERT_TRUE(in.map(n));
  EXPECT_EQ(n, 2u);
  ASSERT_TRUE(in.text(text));
  EXPECT_EQ(text, "k");
  ASSERT_TRUE(in.text(text));  // a bin is text too
  EXPECT_EQ(text, "raw");
  ASSERT_TRUE(in.text(text));
  EXPECT_EQ(text, std::string(40, 'x'));
  EXPECT_EQ(text.data(), bytes.data() + bytes.size() - 2 - 40);  // not copied
  ASSERT_TRUE(in.value(v));
  EXPECT_EQ(v, Value(Array{Value(true)}));
  EXPECT_EQ(in.used(), bytes.size());
}

TEST(MsgpackReader, ReadsIntegersOfEveryFormAsTheDecoderDoes) {
  for (const std::int64_t i :
       {std::int64_t{0}, std::int64_t{127}, std::int64_t{-1}, std::int64_t{-32}, std::int64_t{-33},
        std::int64_t{255}, std::int64_t{-128}, std::int64_t{65535}, std::int64_t{-32768},
        std::int64_t{1} << 32, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    const std::string bytes = Encode(Value(i));
    MsgpackReader in(bytes);
    std::int64_t read = 0;
    ASSERT_TRUE(in.integer(read)) << i;
    EXPECT_EQ(read, i);
    EXPECT_EQ(in.used(), bytes.size());
  }
  // A uint64 beyond int64 decodes as a number, not an integer.
  const std::string too_big = Raw({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  MsgpackReader beyond(too_big);
  std::int64_t read = 0;
  EXPECT_FALSE(beyond.integer(read));
  EXPECT_EQ(beyond.used(), 0u);
}

TEST(MsgpackReader, AnItemOfAnotherKindIsNotReadAndTheReaderStaysWhereItWas) {
  const std::string bytes = Encode(Value(Array{Value("s"), Value(1.5)}));
  MsgpackReader in(bytes);
  std::size_t n = 0;
  std::int64_t i = 0;
  std::string_view text;
  EXPECT_FALSE(in.map(n));
  EXPECT_FALSE(in.integer(i));
  EXPECT_FALSE(in.text(text));
  EXPECT_FALSE(in.nil());
  EXPECT_EQ(in.used(), 0u);
  ASSERT_TRUE(in.array(n));
  EXPECT_FALSE(in.integer(i));
  EXPECT_FALSE(in.array(n));
  EXPECT_EQ(in.used(), 1u);
  ASSERT_TRUE(in.text(text));
  EXPECT_FALSE(in.integer(i));  // 1.5 is no integer
  EXPECT_FALSE(in.text(text));
  EXPECT_EQ(in.used(), 3u);
}

TEST(MsgpackReader, AnItemNotAllThereIsNotRead) {
  const std::string bytes = Encode(
      Value(Array{Value(std::int64_t{1} << 40), Value(std::string(300, 'y')), Value(Ints(20))}));
  // Every prefix: what is all there reads, the first item that is not does not.
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    MsgpackReader in(std::string_view(bytes).substr(0, cut));
    std::size_t n = 0;
    std::int64_t i = 0;
    std::string_view text;
    Value v;
    const bool all = in.array(n) && in.integer(i) && in.text(text) && in.value(v);
    EXPECT_FALSE(all) << "cut at " << cut;
    EXPECT_LE(in.used(), cut);
  }
  // An array header promising more items than bytes left.
  const std::string promised = Raw({0xdc, 0x01, 0x00, 0x01});
  MsgpackReader promise(promised);
  std::size_t n = 0;
  EXPECT_FALSE(promise.array(n));
}

}  // namespace
}  // namespace kong::protocol
