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

// A tag and its big-endian field, appended at once: a push_back per byte
// is most of what encoding a small message costs.
template <class T>
void put_tagged(std::string& out, std::uint8_t tag, T v) {
  char bytes[1 + sizeof(T)];
  bytes[0] = static_cast<char>(tag);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bytes[1 + i] = static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * (sizeof(T) - 1 - i)));
  out.append(bytes, sizeof bytes);
}

// Writes a length header: the fix form when `fix_max` allows it, then the
// 8/16/32-bit forms (fix_tag may be 0: no fix form, as for bin; tag8 may be
// 0: no 8-bit form).
void put_length(std::string& out, std::size_t n, std::uint8_t fix_tag, std::size_t fix_max,
                std::uint8_t tag8, std::uint8_t tag16, std::uint8_t tag32) {
  if (fix_tag != 0 && n <= fix_max)
    put_byte(out, static_cast<std::uint8_t>(fix_tag | n));
  else if (tag8 != 0 && n <= 0xff)
    put_tagged(out, tag8, static_cast<std::uint8_t>(n));
  else if (n <= 0xffff)
    put_tagged(out, tag16, static_cast<std::uint16_t>(n));
  else
    put_tagged(out, tag32, static_cast<std::uint32_t>(n));
}

void put_string(std::string& out, std::string_view s, StrForm form) {
  put_length(out, s.size(), 0xa0, 31, form == StrForm::kong ? 0 : 0xd9, 0xda, 0xdb);
  out.append(s);
}

void put_int(std::string& out, std::int64_t i) {
  if (i >= 0) {
    if (i <= 0x7f)
      put_byte(out, static_cast<std::uint8_t>(i));
    else if (i <= 0xff)
      put_tagged(out, 0xcc, static_cast<std::uint8_t>(i));
    else if (i <= 0xffff)
      put_tagged(out, 0xcd, static_cast<std::uint16_t>(i));
    else if (i <= 0xffffffffLL)
      put_tagged(out, 0xce, static_cast<std::uint32_t>(i));
    else
      put_tagged(out, 0xcf, static_cast<std::uint64_t>(i));
  } else if (i >= -32) {
    put_byte(out, static_cast<std::uint8_t>(i));
  } else if (i >= -128) {
    put_tagged(out, 0xd0, static_cast<std::uint8_t>(i));
  } else if (i >= -32768) {
    put_tagged(out, 0xd1, static_cast<std::uint16_t>(i));
  } else if (i >= std::numeric_limits<std::int32_t>::min()) {
    put_tagged(out, 0xd2, static_cast<std::uint32_t>(i));
  } else {
    put_tagged(out, 0xd3, static_cast<std::uint64_t>(i));
  }
}

struct Encoder {
  std::string& out;
  StrForm form;

  void operator()(const Nil&) const { put_byte(out, 0xc0); }
  void operator()(bool b) const { put_byte(out, b ? 0xc3 : 0xc2); }
  void operator()(std::int64_t i) const { put_int(out, i); }
  void operator()(double d) const { put_tagged(out, 0xcb, std::bit_cast<std::uint64_t>(d)); }
  void operator()(const std::string& s) const { put_string(out, s, form); }
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

// The integer of an integer form's tag and payload `p` (as many bytes as
// read_header says): 0xcc-0xcf are unsigned and 0xd0-0xd3 signed, of 1, 2,
// 4 and 8 bytes by the tag's low two bits. False for a uint64 beyond int64,
// and for other tags.
bool integer_of(std::uint8_t tag, const char* p, std::int64_t& out) {
  if (tag < 0xcc || tag > 0xd3)
    return false;
  const std::size_t width = std::size_t{1} << (tag & 0x03u);
  const std::uint64_t u = read_big_endian(p, width);
  if (tag >= 0xd0) {  // sign-extended from its width
    const unsigned unused = 64 - 8 * static_cast<unsigned>(width);
    out = static_cast<std::int64_t>(u << unused) >> unused;
    return true;
  }
  if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return false;
  out = static_cast<std::int64_t>(u);
  return true;
}

// Builds each value where it ends up (the array element, the map entry),
// never in a temporary that is then moved: decoding a message is most of
// what reading one costs.
class Decoder {
 public:
  // `explain`: whether a failure is put in words; the fast path of a stream
  // only needs to know that it failed, and the scanner then says why.
  Decoder(std::string_view buf, std::size_t base, const MsgpackLimits& limits, bool explain)
      : buf_(buf), base_(base), limits_(limits), explain_(explain) {}

  bool decode(Value& out) {
    item(0, out);
    return !failed_;
  }
  std::size_t used() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  template <class... Args>
  void fail(fmt::format_string<Args...> format, Args&&... args) {
    if (explain_ && !failed_)
      error_ = fmt::format(format, std::forward<Args>(args)...);
    failed_ = true;
  }

  template <class T, class... Args>
  static T& set(Value& out, Args&&... args) {
    return out.variant().emplace<T>(std::forward<Args>(args)...);
  }

  void item(std::size_t depth, Value& out) {
    if (failed_)
      return;
    if (depth > limits_.max_depth)
      return fail("byte {}: nesting deeper than {}", base_ + pos_, limits_.max_depth);
    // The forms most of a message is made of, small integers and short
    // strings, carry their length in the tag: no limit to check.
    if (pos_ < buf_.size()) {
      const auto tag = static_cast<std::uint8_t>(buf_[pos_]);
      if (tag <= 0x7f) {
        set<std::int64_t>(out, tag);
        ++pos_;
        return;
      }
      if (tag >= 0xa0 && tag <= 0xbf && buf_.size() - pos_ > (tag & 0x1fu)) {
        set<std::string>(out, buf_.data() + pos_ + 1, tag & 0x1fu);
        pos_ += 1 + (tag & 0x1fu);
        return;
      }
    }
    if (pos_ >= buf_.size())
      return fail("byte {}: value truncated", base_ + pos_);
    Header h;
    const std::size_t start = pos_;
    switch (read_header(buf_, pos_, h)) {
      case HeaderStatus::need_more:
        return fail("byte {}: value truncated", base_ + pos_);
      case HeaderStatus::invalid:
        return fail("byte {}: 0xc1 is not a MessagePack type", base_ + pos_);
      case HeaderStatus::ok:
        break;
    }
    if (h.payload > limits_.max_message_bytes || h.children > limits_.max_message_bytes) {
      return fail("byte {}: declared length exceeds the {}-byte limit", base_ + start,
                  limits_.max_message_bytes);
    }
    if (buf_.size() - pos_ - h.header_bytes < h.payload)
      return fail("byte {}: value truncated", base_ + start);
    pos_ += h.header_bytes;
    const char* p = buf_.data() + pos_;
    pos_ += h.payload;
    // Positive fixints and whole fixstrs were read above.
    const auto tag = static_cast<std::uint8_t>(buf_[start]);

    if (tag >= 0xe0) {
      set<std::int64_t>(out, static_cast<std::int8_t>(tag));
      return;
    }
    if ((tag >= 0x80 && tag <= 0x8f) || tag == 0xde || tag == 0xdf)
      return map(h.children / 2, depth, set<Map>(out));
    if ((tag >= 0x90 && tag <= 0x9f) || tag == 0xdc || tag == 0xdd)
      return array(h.children, depth, set<Array>(out));
    if (tag >= 0xd9 && tag <= 0xdb) {
      set<std::string>(out, p, h.payload);
      return;
    }
    switch (tag) {
      case 0xc0:
        set<Nil>(out);
        return;
      case 0xc2:
      case 0xc3:
        set<bool>(out, tag == 0xc3);
        return;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        set<Bytes>(out, Bytes{std::string(p, h.payload)});
        return;
      // ext carries a type byte we have no use for: keep its data as bytes.
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        set<Bytes>(out, Bytes{std::string(p + 1, h.payload - 1)});
        return;
      case 0xca:
        set<double>(out, std::bit_cast<float>(static_cast<std::uint32_t>(read_big_endian(p, 4))));
        return;
      case 0xcb:
        set<double>(out, std::bit_cast<double>(read_big_endian(p, 8)));
        return;
      case 0xcf:
        // Beyond int64: Lua numbers are doubles anyway.
        if (std::int64_t i = 0; integer_of(tag, p, i))
          set<std::int64_t>(out, i);
        else
          set<double>(out, static_cast<double>(read_big_endian(p, 8)));
        return;
      case 0xcc:
      case 0xcd:
      case 0xce:
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3: {
        std::int64_t i = 0;
        integer_of(tag, p, i);
        set<std::int64_t>(out, i);
        return;
      }
      default:
        return fail("byte {}: unexpected tag 0x{:02x}", base_ + start, tag);
    }
  }

  void array(std::uint64_t n, std::size_t depth, Array& a) {
    // Each element takes at least a byte: do not trust a count beyond that.
    a.reserve(std::min<std::uint64_t>(n, buf_.size() - pos_));
    for (std::uint64_t i = 0; i < n && !failed_; ++i)
      item(depth + 1, a.emplace_back());
  }

  void map(std::uint64_t n, std::size_t depth, Map& m) {
    m.reserve(std::min<std::uint64_t>(n, (buf_.size() - pos_) / 2));
    for (std::uint64_t i = 0; i < n && !failed_; ++i) {
      auto& [key, value] = m.emplace_back();
      item(depth + 1, key);
      item(depth + 1, value);
    }
  }

  std::string_view buf_;
  std::size_t base_;
  const MsgpackLimits& limits_;
  bool explain_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

void msgpack_encode(const Value& v, std::string& out, StrForm form) {
  std::visit(Encoder{out, form}, v.variant());
}

void msgpack_encode_string(std::string_view s, std::string& out, StrForm form) {
  put_string(out, s, form);
}

void msgpack_encode_int(std::int64_t i, std::string& out) {
  put_int(out, i);
}

void msgpack_encode_array_header(std::size_t n, std::string& out) {
  put_length(out, n, 0x90, 15, 0, 0xdc, 0xdd);
}

void msgpack_encode_map_header(std::size_t n, std::string& out) {
  put_length(out, n, 0x80, 15, 0, 0xde, 0xdf);
}

bool MsgpackReader::container(std::size_t& n, bool want_map) {
  if (pos_ >= buf_.size())
    return false;
  const auto tag = static_cast<std::uint8_t>(buf_[pos_]);
  // Most are small: their size is in the tag.
  if (tag >= (want_map ? 0x80 : 0x90) && tag <= (want_map ? 0x8f : 0x9f)) {
    n = tag & 0x0fu;
    if (n * (want_map ? 2 : 1) > buf_.size() - pos_ - 1)
      return false;
    ++pos_;
    return true;
  }
  // The 16- and 32-bit forms.
  if (want_map ? tag != 0xde && tag != 0xdf : tag != 0xdc && tag != 0xdd)
    return false;
  Header h;
  if (read_header(buf_, pos_, h) != HeaderStatus::ok)
    return false;
  // Each item takes at least a byte: a count beyond the bytes left is not all there.
  if (h.children > buf_.size() - pos_ - h.header_bytes)
    return false;
  n = static_cast<std::size_t>(want_map ? h.children / 2 : h.children);
  pos_ += h.header_bytes;
  return true;
}

bool MsgpackReader::array(std::size_t& n) {
  return container(n, false);
}

bool MsgpackReader::map(std::size_t& n) {
  return container(n, true);
}

bool MsgpackReader::integer(std::int64_t& i) {
  if (pos_ >= buf_.size())
    return false;
  const auto tag = static_cast<std::uint8_t>(buf_[pos_]);
  if (tag <= 0x7f || tag >= 0xe0) {
    i = tag <= 0x7f ? tag : static_cast<std::int8_t>(tag);
    ++pos_;
    return true;
  }
  Header h;
  if (read_header(buf_, pos_, h) != HeaderStatus::ok || h.payload > buf_.size() - pos_ - 1 ||
      !integer_of(tag, buf_.data() + pos_ + 1, i))
    return false;
  pos_ += 1 + h.payload;
  return true;
}

bool MsgpackReader::nil() {
  if (pos_ >= buf_.size() || static_cast<std::uint8_t>(buf_[pos_]) != 0xc0)
    return false;
  ++pos_;
  return true;
}

bool MsgpackReader::text(std::string_view& s) {
  if (pos_ >= buf_.size())
    return false;
  const auto tag = static_cast<std::uint8_t>(buf_[pos_]);
  if (tag >= 0xa0 && tag <= 0xbf) {
    const std::size_t size = tag & 0x1fu;
    if (size > buf_.size() - pos_ - 1)
      return false;
    s = buf_.substr(pos_ + 1, size);
    pos_ += 1 + size;
    return true;
  }
  // str8-32 and bin8-32.
  const bool is_text = (tag >= 0xd9 && tag <= 0xdb) || (tag >= 0xc4 && tag <= 0xc6);
  Header h;
  if (!is_text || read_header(buf_, pos_, h) != HeaderStatus::ok)
    return false;
  if (h.payload > buf_.size() - pos_ - h.header_bytes)
    return false;
  s = buf_.substr(pos_ + h.header_bytes, h.payload);
  pos_ += h.header_bytes + h.payload;
  return true;
}

bool MsgpackReader::value(Value& out) {
  std::size_t used = 0;
  if (!msgpack_decode_first(buf_.substr(pos_), limits_, out, used))
    return false;
  pos_ += used;
  return true;
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
  Decoder decoder(buf, base_offset, limits, /*explain=*/true);
  Value v;
  if (!decoder.decode(v))
    return Error{decoder.error()};
  if (decoder.used() != buf.size()) {
    return Error{fmt::format("byte {}: {} bytes after the end of the value",
                             base_offset + decoder.used(), buf.size() - decoder.used())};
  }
  return v;
}

bool msgpack_decode_first(std::string_view buf, const MsgpackLimits& limits, Value& out,
                          std::size_t& used) {
  Decoder decoder(buf, 0, limits, /*explain=*/false);
  if (!decoder.decode(out) || decoder.used() > limits.max_message_bytes)
    return false;
  used = decoder.used();
  return true;
}

}  // namespace kong::protocol
