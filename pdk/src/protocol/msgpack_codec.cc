#include "kong/protocol/msgpack_codec.h"

#include <bit>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace kong::protocol {
namespace {

// ---- encoding ---------------------------------------------------------------

void put_byte(std::string& out, std::uint8_t b) {
  out.push_back(static_cast<char>(b));
}

template <class T>
void put_big_endian(std::string& out, T v) {
  for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) {
    put_byte(out, static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> shift));
  }
}

// Writes a length header: the fix form when `fix_max` allows it, then the
// 8/16/32-bit forms (fix_tag may be 0: no fix form, as for bin; tag8 may be
// 0: no 8-bit form).
void put_length(std::string& out, std::size_t n, std::uint8_t fix_tag, std::size_t fix_max,
                std::uint8_t tag8, std::uint8_t tag16, std::uint8_t tag32) {
  if (fix_tag != 0 && n <= fix_max) {
    put_byte(out, static_cast<std::uint8_t>(fix_tag | n));
  } else if (tag8 != 0 && n <= 0xff) {
    put_byte(out, tag8);
    put_byte(out, static_cast<std::uint8_t>(n));
  } else if (n <= 0xffff) {
    put_byte(out, tag16);
    put_big_endian(out, static_cast<std::uint16_t>(n));
  } else {
    put_byte(out, tag32);
    put_big_endian(out, static_cast<std::uint32_t>(n));
  }
}

void put_int(std::string& out, std::int64_t i) {
  if (i >= 0) {
    if (i <= 0x7f) {
      put_byte(out, static_cast<std::uint8_t>(i));
    } else if (i <= 0xff) {
      put_byte(out, 0xcc);
      put_byte(out, static_cast<std::uint8_t>(i));
    } else if (i <= 0xffff) {
      put_byte(out, 0xcd);
      put_big_endian(out, static_cast<std::uint16_t>(i));
    } else if (i <= 0xffffffffLL) {
      put_byte(out, 0xce);
      put_big_endian(out, static_cast<std::uint32_t>(i));
    } else {
      put_byte(out, 0xcf);
      put_big_endian(out, static_cast<std::uint64_t>(i));
    }
  } else if (i >= -32) {
    put_byte(out, static_cast<std::uint8_t>(i));
  } else if (i >= -128) {
    put_byte(out, 0xd0);
    put_byte(out, static_cast<std::uint8_t>(i));
  } else if (i >= -32768) {
    put_byte(out, 0xd1);
    put_big_endian(out, static_cast<std::uint16_t>(i));
  } else if (i >= std::numeric_limits<std::int32_t>::min()) {
    put_byte(out, 0xd2);
    put_big_endian(out, static_cast<std::uint32_t>(i));
  } else {
    put_byte(out, 0xd3);
    put_big_endian(out, static_cast<std::uint64_t>(i));
  }
}

struct Encoder {
  std::string& out;
  StrForm form;

  void operator()(const Nil&) const { put_byte(out, 0xc0); }
  void operator()(bool b) const { put_byte(out, b ? 0xc3 : 0xc2); }
  void operator()(std::int64_t i) const { put_int(out, i); }
  void operator()(double d) const {
    put_byte(out, 0xcb);
    put_big_endian(out, std::bit_cast<std::uint64_t>(d));
  }
  void operator()(const std::string& s) const {
    put_length(out, s.size(), 0xa0, 31, form == StrForm::kong ? 0 : 0xd9, 0xda, 0xdb);
    out.append(s);
  }
  void operator()(const Bytes& b) const {
    put_length(out, b.data.size(), 0, 0, 0xc4, 0xc5, 0xc6);
    out.append(b.data);
  }
  void operator()(const Array& a) const {
    put_length(out, a.size(), 0x90, 15, 0, 0xdc, 0xdd);
    for (const auto& v : a)
      std::visit(*this, v.variant());
  }
  void operator()(const Map& m) const {
    put_length(out, m.size(), 0x80, 15, 0, 0xde, 0xdf);
    for (const auto& [k, v] : m) {
      std::visit(*this, k.variant());
      std::visit(*this, v.variant());
    }
  }
};

// ---- the layout of one item -------------------------------------------------

// What the bytes at an item's start say about it.
struct Header {
  std::size_t header_bytes = 1;  // tag and length fields
  std::uint64_t payload = 0;     // bytes after the header (str, bin, ext, numbers)
  std::uint64_t children = 0;    // items that follow (array elements, map keys + values)
};

enum class HeaderStatus { ok, need_more, invalid };

std::uint64_t read_big_endian(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

// Reads the header of the item at buf[pos]. Needs only the tag and length.
HeaderStatus read_header(std::string_view buf, std::size_t pos, Header& h) {
  const auto tag = static_cast<std::uint8_t>(buf[pos]);
  auto length_field = [&](std::size_t n, std::uint64_t extra) {
    if (pos + 1 + n > buf.size())
      return HeaderStatus::need_more;
    h.header_bytes = 1 + n;
    h.payload = read_big_endian(buf.data() + pos + 1, n) + extra;
    return HeaderStatus::ok;
  };
  auto count_field = [&](std::size_t n, std::uint64_t per_entry) {
    if (pos + 1 + n > buf.size())
      return HeaderStatus::need_more;
    h.header_bytes = 1 + n;
    h.children = read_big_endian(buf.data() + pos + 1, n) * per_entry;
    return HeaderStatus::ok;
  };
  h = Header{};
  if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3)
    return HeaderStatus::ok;
  if (tag <= 0x8f)
    return h.children = 2u * (tag & 0x0f), HeaderStatus::ok;
  if (tag <= 0x9f)
    return h.children = tag & 0x0f, HeaderStatus::ok;
  if (tag <= 0xbf)
    return h.payload = tag & 0x1f, HeaderStatus::ok;
  switch (tag) {
    case 0xc4:
    case 0xd9:
      return length_field(1, 0);
    case 0xc5:
    case 0xda:
      return length_field(2, 0);
    case 0xc6:
    case 0xdb:
      return length_field(4, 0);
    case 0xc7:
      return length_field(1, 1);  // ext: length, then a type byte
    case 0xc8:
      return length_field(2, 1);
    case 0xc9:
      return length_field(4, 1);
    case 0xca:
    case 0xce:
    case 0xd2:
      return h.payload = 4, HeaderStatus::ok;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return h.payload = 8, HeaderStatus::ok;
    case 0xcc:
    case 0xd0:
      return h.payload = 1, HeaderStatus::ok;
    case 0xcd:
    case 0xd1:
      return h.payload = 2, HeaderStatus::ok;
    case 0xd4:
      return h.payload = 2, HeaderStatus::ok;  // fixext: type byte + data
    case 0xd5:
      return h.payload = 3, HeaderStatus::ok;
    case 0xd6:
      return h.payload = 5, HeaderStatus::ok;
    case 0xd7:
      return h.payload = 9, HeaderStatus::ok;
    case 0xd8:
      return h.payload = 17, HeaderStatus::ok;
    case 0xdc:
      return count_field(2, 1);
    case 0xdd:
      return count_field(4, 1);
    case 0xde:
      return count_field(2, 2);
    case 0xdf:
      return count_field(4, 2);
    default:
      return HeaderStatus::invalid;  // 0xc1: never used
  }
}

// ---- decoding ---------------------------------------------------------------

class Decoder {
 public:
  Decoder(std::string_view buf, std::size_t base, const MsgpackLimits& limits)
      : buf_(buf), base_(base), limits_(limits) {}

  Result<Value> decode_first(std::size_t& used) {
    Value v = item(0);
    if (!error_.empty())
      return Error{error_};
    used = pos_;
    return v;
  }

  Result<Value> decode_all() {
    Value v = item(0);
    if (!error_.empty())
      return Error{error_};
    if (pos_ != buf_.size()) {
      return Error{fmt::format("byte {}: {} bytes after the end of the value", base_ + pos_,
                               buf_.size() - pos_)};
    }
    return v;
  }

 private:
  Value fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message);
    return Value{};
  }

  Value item(std::size_t depth) {
    if (!error_.empty())
      return {};
    if (depth > limits_.max_depth) {
      return fail(fmt::format("byte {}: nesting deeper than {}", base_ + pos_, limits_.max_depth));
    }
    if (pos_ >= buf_.size())
      return fail(fmt::format("byte {}: value truncated", base_ + pos_));
    Header h;
    const std::size_t start = pos_;
    switch (read_header(buf_, pos_, h)) {
      case HeaderStatus::need_more:
        return fail(fmt::format("byte {}: value truncated", base_ + pos_));
      case HeaderStatus::invalid:
        return fail(fmt::format("byte {}: 0xc1 is not a MessagePack type", base_ + pos_));
      case HeaderStatus::ok:
        break;
    }
    if (h.payload > limits_.max_message_bytes || h.children > limits_.max_message_bytes) {
      return fail(fmt::format("byte {}: declared length exceeds the {}-byte limit", base_ + start,
                              limits_.max_message_bytes));
    }
    if (buf_.size() - pos_ - h.header_bytes < h.payload) {
      return fail(fmt::format("byte {}: value truncated", base_ + start));
    }
    pos_ += h.header_bytes;
    const char* p = buf_.data() + pos_;
    pos_ += h.payload;
    const auto tag = static_cast<std::uint8_t>(buf_[start]);

    if (tag <= 0x7f)
      return Value(std::int64_t{tag});
    if (tag >= 0xe0)
      return Value(std::int64_t{static_cast<std::int8_t>(tag)});
    if ((tag >= 0x80 && tag <= 0x8f) || tag == 0xde || tag == 0xdf)
      return map(h.children / 2, depth);
    if ((tag >= 0x90 && tag <= 0x9f) || tag == 0xdc || tag == 0xdd)
      return array(h.children, depth);
    if ((tag >= 0xa0 && tag <= 0xbf) || (tag >= 0xd9 && tag <= 0xdb)) {
      return Value(std::string(p, h.payload));
    }
    switch (tag) {
      case 0xc0:
        return Value{};
      case 0xc2:
        return Value(false);
      case 0xc3:
        return Value(true);
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return Value(Bytes{std::string(p, h.payload)});
      // ext carries a type byte we have no use for: keep its data as bytes.
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return Value(Bytes{std::string(p + 1, h.payload - 1)});
      case 0xca:
        return Value(
            double{std::bit_cast<float>(static_cast<std::uint32_t>(read_big_endian(p, 4)))});
      case 0xcb:
        return Value(std::bit_cast<double>(read_big_endian(p, 8)));
      case 0xcc:
      case 0xcd:
      case 0xce:
        return Value(static_cast<std::int64_t>(read_big_endian(p, h.payload)));
      case 0xcf: {
        const std::uint64_t u = read_big_endian(p, 8);
        // Beyond int64: Lua numbers are doubles anyway.
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return Value(static_cast<double>(u));
        }
        return Value(static_cast<std::int64_t>(u));
      }
      case 0xd0:
        return Value(std::int64_t{static_cast<std::int8_t>(read_big_endian(p, 1))});
      case 0xd1:
        return Value(std::int64_t{static_cast<std::int16_t>(read_big_endian(p, 2))});
      case 0xd2:
        return Value(std::int64_t{static_cast<std::int32_t>(read_big_endian(p, 4))});
      case 0xd3:
        return Value(static_cast<std::int64_t>(read_big_endian(p, 8)));
      default:
        return fail(fmt::format("byte {}: unexpected tag 0x{:02x}", base_ + start, tag));
    }
  }

  Value array(std::uint64_t n, std::size_t depth) {
    Array a;
    // Each element takes at least a byte: do not trust a count beyond that.
    a.reserve(std::min<std::uint64_t>(n, buf_.size() - pos_));
    for (std::uint64_t i = 0; i < n && error_.empty(); ++i)
      a.push_back(item(depth + 1));
    return Value(std::move(a));
  }

  Value map(std::uint64_t n, std::size_t depth) {
    Map m;
    m.reserve(std::min<std::uint64_t>(n, (buf_.size() - pos_) / 2));
    for (std::uint64_t i = 0; i < n && error_.empty(); ++i) {
      Value k = item(depth + 1);
      Value v = item(depth + 1);
      m.emplace_back(std::move(k), std::move(v));
    }
    return Value(std::move(m));
  }

  std::string_view buf_;
  std::size_t base_;
  const MsgpackLimits& limits_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

void msgpack_encode(const Value& v, std::string& out, StrForm form) {
  std::visit(Encoder{out, form}, v.variant());
}

void MsgpackScanner::reset() {
  pos_ = 0;
  pending_.clear();
  started_ = false;
  error_.clear();
}

MsgpackScanner::State MsgpackScanner::fail(std::string message) {
  error_ = std::move(message);
  return State::error;
}

MsgpackScanner::State MsgpackScanner::feed(std::string_view buf) {
  if (!error_.empty())
    return State::error;
  if (!started_) {
    pending_.assign(1, 1);  // the root item
    started_ = true;
  }
  while (!pending_.empty()) {
    if (pending_.back() == 0) {
      pending_.pop_back();
      continue;
    }
    if (pos_ >= buf.size())
      return State::need_more;
    Header h;
    switch (read_header(buf, pos_, h)) {
      case HeaderStatus::need_more:
        return State::need_more;
      case HeaderStatus::invalid:
        return fail(fmt::format("byte {}: 0xc1 is not a MessagePack type", pos_));
      case HeaderStatus::ok:
        break;
    }
    // Refuse a declared size before waiting for (or allocating) its bytes.
    // Every array element and map key or value takes at least one byte.
    const std::uint64_t end = pos_ + h.header_bytes + h.payload;
    if (h.payload > limits_.max_message_bytes || h.children > limits_.max_message_bytes ||
        end + h.children > limits_.max_message_bytes) {
      return fail(fmt::format("byte {}: message larger than the {}-byte limit", pos_,
                              limits_.max_message_bytes));
    }
    if (end > buf.size())
      return State::need_more;
    --pending_.back();
    pos_ = end;
    if (h.children > 0) {
      if (pending_.size() > limits_.max_depth) {
        return fail(fmt::format("byte {}: nesting deeper than {}", pos_, limits_.max_depth));
      }
      pending_.push_back(h.children);
    }
  }
  return State::complete;
}

Result<Value> msgpack_decode(std::string_view buf, std::size_t base_offset,
                             const MsgpackLimits& limits) {
  return Decoder(buf, base_offset, limits).decode_all();
}

Result<Value> msgpack_decode_first(std::string_view buf, std::size_t base_offset,
                                   const MsgpackLimits& limits, std::size_t& used) {
  auto value = Decoder(buf, base_offset, limits).decode_first(used);
  if (value && used > limits.max_message_bytes)
    return Error{"larger than the message limit"};
  return value;
}

}  // namespace kong::protocol
