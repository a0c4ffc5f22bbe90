#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kong/protocol/value.h"
#include "kong/result.h"

namespace kong::protocol {

/// Bounds on what a peer may make us allocate.
struct MsgpackLimits {
  /// Largest message (and so largest declared str/bin/array length) accepted.
  std::size_t max_message_bytes = 64u << 20;
  /// Deepest nesting of arrays and maps.
  std::size_t max_depth = 256;
};

/// How strings are written. Kong's lua-MessagePack never writes str8: it
/// writes strings of 32 bytes or more as str16 (protocol.md §3). mock-kong
/// writes the way Kong does so plugin servers meet Kong's forms.
enum class StrForm { compact, kong };

/// Appends the MessagePack encoding of `v` to `out`.
void msgpack_encode(const Value& v, std::string& out, StrForm form = StrForm::compact);
/// Appends `s` as a MessagePack str, as msgpack_encode(Value(s)) would,
/// without copying it into a Value first.
void msgpack_encode_string(std::string_view s, std::string& out, StrForm form = StrForm::compact);
/// The same for an integer, and for the header of an array or a map of `n`
/// items (entries), whose items then follow: a message written where it is
/// known, without its Values.
void msgpack_encode_int(std::int64_t i, std::string& out);
void msgpack_encode_array_header(std::size_t n, std::string& out);
void msgpack_encode_map_header(std::size_t n, std::string& out);

/// Finds where one MessagePack value ends in a growing buffer, without
/// decoding it. Resumable: when the buffer ends mid-value, feed() remembers
/// how far it got and continues from there once more bytes arrive, so a large
/// message read in many chunks is scanned once.
class MsgpackScanner {
 public:
  explicit MsgpackScanner(MsgpackLimits limits = {}) : limits_(limits) {}

  enum class State { need_more, complete, error };

  /// Scans `buf`, the bytes received so far from the start of a value.
  /// complete: the value is buf[0, size()). error: error() says why, with the
  /// byte offset relative to the value's start.
  State feed(std::string_view buf);
  std::size_t size() const { return pos_; }
  const std::string& error() const { return error_; }
  /// Forgets the progress, to scan the next value.
  void reset();
  /// Whether feed() has seen some of the current value.
  bool started() const { return started_; }

 private:
  State fail(std::string message);

  MsgpackLimits limits_;
  std::size_t pos_ = 0;
  std::vector<std::uint64_t> pending_;  // items still to read per open container
  bool started_ = false;
  std::string error_;
};

/// Decodes exactly one complete value (as found by MsgpackScanner) at
/// `buf[0, size)`. Errors name the byte offset, counted from `base_offset`.
Result<Value> msgpack_decode(std::string_view buf, std::size_t base_offset = 0,
                             const MsgpackLimits& limits = {});

/// Decodes the value `buf` starts with into `out`, when all of it is there,
/// and sets `used` to its size. False when it is not all there, or is not
/// valid: the scanner then says which, and where.
bool msgpack_decode_first(std::string_view buf, const MsgpackLimits& limits, Value& out,
                          std::size_t& used);

/// Reads a whole message's items in order where they lie, for a reader that
/// expects one shape and wants Values only of some of its parts (mock-kong's
/// answers to an event). Each read returns false, moving on by nothing, when
/// the next item is not of the kind asked for or is not all there; the
/// reader then takes the general path (MsgpackStream), which says which.
class MsgpackReader {
 public:
  explicit MsgpackReader(std::string_view buf, const MsgpackLimits& limits = {})
      : buf_(buf), limits_(limits) {}
  /// It reads where the bytes lie: not in a string about to go away.
  explicit MsgpackReader(std::string&& buf, const MsgpackLimits& limits = {}) = delete;

  /// An array's or a map's header: its items (entries) follow.
  bool array(std::size_t& n);
  bool map(std::size_t& n);
  bool integer(std::int64_t& i);
  bool nil();
  /// A str or a bin, where it lies in the buffer.
  bool text(std::string_view& s);
  /// Any one item, decoded.
  bool value(Value& out);
  /// Bytes read so far.
  std::size_t used() const { return pos_; }

 private:
  bool container(std::size_t& n, bool want_map);

  std::string_view buf_;
  MsgpackLimits limits_;
  std::size_t pos_ = 0;
};

}  // namespace kong::protocol
