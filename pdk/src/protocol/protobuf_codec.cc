#include "kong/protocol/protobuf_codec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>

#include "kong/protocol/ascii.h"
#include "kong/protocol/json_value.h"

#include "proto/kong_plugin_protocol.pb.h"
#include "protocol/protobuf_serialize.h"
#include "protocol/protobuf_value.h"

namespace kong::protocol::protobuf {
namespace {

namespace gpb = google::protobuf;
using Field = gpb::FieldDescriptor;

// Whose view of google.protobuf.Value: a plugin reads it as it is; Kong's
// Lua reads `bool_value or string_value or number_value or null_value`, so
// false is nil there and null the enum's name.
enum class Side { plugin, kong };

constexpr std::string_view kEmpty = "google.protobuf.Empty";
constexpr std::string_view kValue = "google.protobuf.Value";
constexpr std::string_view kListValue = "google.protobuf.ListValue";
constexpr std::string_view kStruct = "google.protobuf.Struct";

const gpb::Descriptor* message_type(std::string_view name) {
  // Our .proto's messages and the well-known types it imports share a pool.
  static const gpb::DescriptorPool* pool =
      kong_plugin_protocol::RpcCall::descriptor()->file()->pool();
  const std::string full = name.starts_with("google.protobuf.")
                               ? std::string(name)
                               : fmt::format("kong_plugin_protocol.{}", name);
  const gpb::Descriptor* type = pool->FindMessageTypeByName(full);
  if (type == nullptr)
    throw CodecError(fmt::format("no protobuf message {}", name));
  return type;
}

std::unique_ptr<gpb::Message> new_message(const gpb::Descriptor* type) {
  return std::unique_ptr<gpb::Message>(
      gpb::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

std::unique_ptr<gpb::Message> parse(const gpb::Descriptor* type, std::string_view frame) {
  auto message = new_message(type);
  if (!message->ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    throw CodecError(fmt::format("{} bytes are not a {} message: {}", frame.size(),
                                 type->full_name(),
                                 to_debug_string(Value(Bytes{std::string(frame)}))));
  }
  return message;
}

// Fields in field-number order: Kong's unwrap order for positional arguments.
std::vector<const Field*> fields_of(const gpb::Descriptor* type) {
  std::vector<const Field*> fields;
  for (int i = 0; i < type->field_count(); ++i)
    fields.push_back(type->field(i));
  std::sort(fields.begin(), fields.end(),
            [](const Field* a, const Field* b) { return a->number() < b->number(); });
  return fields;
}

// Kong wraps a single result as {v = result}: Bool, Int, Number, String, ByteString.
bool is_wrapper(const gpb::Descriptor* type) {
  return type->field_count() == 1 && type->field(0)->name() == "v" &&
         type->field(0)->cpp_type() != Field::CPPTYPE_MESSAGE;
}

// Lua sequences: a map with integer keys 1..n (index 0, the whole match of
// URI captures, is not part of it) is an array to Lua's encoders.
std::vector<const Value*> sequence_of(const Value& v) {
  std::vector<const Value*> items;
  if (v.is_array()) {
    for (const auto& item : v.as_array())
      items.push_back(&item);
  } else if (v.is_map()) {
    for (std::int64_t i = 1;; ++i) {
      const Value* found = nullptr;
      for (const auto& [key, item] : v.as_map()) {
        if (key.is_int() && key.as_int() == i)
          found = &item;
      }
      if (found == nullptr)
        break;
      items.push_back(found);
    }
  }
  return items;
}

// --- Values into messages -------------------------------------------------

void to_struct(const Value& v, gpb::Struct& out, Side side, const std::string& path);
void to_list(const Value& v, gpb::ListValue& out, Side side, const std::string& path);

void to_value(const Value& v, gpb::Value& out, Side side, const std::string& path) {
  if (v.is_nil()) {
    out.set_null_value(gpb::NULL_VALUE);
  } else if (v.is_bool()) {
    out.set_bool_value(v.as_bool());
  } else if (v.is_number()) {
    out.set_number_value(v.as_double());
  } else if (v.is_text()) {
    out.set_string_value(std::string(v.text()));
  } else if (v.is_array()) {
    // Kong's structpb_value: a Lua table without [1] (an empty one) is a Struct.
    if (side == Side::kong && v.as_array().empty())
      out.mutable_struct_value();
    else
      to_list(v, *out.mutable_list_value(), side, path);
  } else if (side == Side::kong && !sequence_of(v).empty()) {
    to_list(v, *out.mutable_list_value(), side, path);
  } else {
    to_struct(v, *out.mutable_struct_value(), side, path);
  }
}

void to_list(const Value& v, gpb::ListValue& out, Side side, const std::string& path) {
  std::size_t i = 0;
  for (const Value* item : sequence_of(v))
    to_value(*item, *out.add_values(), side, fmt::format("{}[{}]", path, i++));
}

void to_struct(const Value& v, gpb::Struct& out, Side side, const std::string& path) {
  if (v.is_array() && v.as_array().empty())
    return;  // an empty Lua table
  if (!v.is_map())
    throw CodecError(fmt::format("{}: expected a map, got {}", path, type_name(v)));
  auto& fields = *out.mutable_fields();
  for (const auto& [key, item] : v.as_map()) {
    if (!key.is_text()) {
      throw CodecError(fmt::format("{}: a google.protobuf.Struct key must be a string, got {}",
                                   path, to_debug_string(key)));
    }
    const std::string name(key.text());
    to_value(item, fields[name], side, path + "." + name);
  }
}

void fill(gpb::Message& message, const Value& v, Side side, const std::string& path);

std::int64_t integer_of(const Value& v, std::int64_t lo, std::int64_t hi, const std::string& path) {
  // Lua numbers arrive as integers or doubles; only whole ones fit an integer field.
  double d = v.is_int() ? 0.0 : v.as_double();
  if (!v.is_int() && (std::trunc(d) != d || d < -9.2e18 || d > 9.2e18))
    throw CodecError(fmt::format("{}: {} is not an integer", path, to_debug_string(v)));
  const std::int64_t i = v.is_int() ? v.as_int() : static_cast<std::int64_t>(d);
  if (i < lo || i > hi)
    throw CodecError(fmt::format("{}: {} does not fit a 32-bit integer", path, i));
  return i;
}

// One value of a (possibly repeated) field, appended or set.
void set_one(gpb::Message& message, const Field* f, const Value& v, Side side,
             const std::string& path) {
  const gpb::Reflection* r = message.GetReflection();
  const bool repeated = f->is_repeated();
  auto mismatch = [&](std::string_view expected) {
    return CodecError(fmt::format("{}: expected {}, got {} {}", path, expected, type_name(v),
                                  to_debug_string(v)));
  };
  switch (f->cpp_type()) {
    case Field::CPPTYPE_INT32: {
      if (!v.is_number())
        throw mismatch("a number");
      const auto i =
          static_cast<std::int32_t>(integer_of(v, std::numeric_limits<std::int32_t>::min(),
                                               std::numeric_limits<std::int32_t>::max(), path));
      repeated ? r->AddInt32(&message, f, i) : r->SetInt32(&message, f, i);
      break;
    }
    case Field::CPPTYPE_INT64: {
      if (!v.is_number())
        throw mismatch("a number");
      const std::int64_t i = integer_of(v, std::numeric_limits<std::int64_t>::min(),
                                        std::numeric_limits<std::int64_t>::max(), path);
      repeated ? r->AddInt64(&message, f, i) : r->SetInt64(&message, f, i);
      break;
    }
    case Field::CPPTYPE_DOUBLE:
      if (!v.is_number())
        throw mismatch("a number");
      repeated ? r->AddDouble(&message, f, v.as_double())
               : r->SetDouble(&message, f, v.as_double());
      break;
    case Field::CPPTYPE_BOOL:
      if (!v.is_bool())
        throw mismatch("a boolean");
      repeated ? r->AddBool(&message, f, v.as_bool()) : r->SetBool(&message, f, v.as_bool());
      break;
    case Field::CPPTYPE_STRING:
      if (!v.is_text())
        throw mismatch("a string");
      repeated ? r->AddString(&message, f, std::string(v.text()))
               : r->SetString(&message, f, std::string(v.text()));
      break;
    case Field::CPPTYPE_MESSAGE: {
      gpb::Message* sub = repeated ? r->AddMessage(&message, f) : r->MutableMessage(&message, f);
      fill(*sub, v, side, path);
      break;
    }
    default:
      throw CodecError(fmt::format("{}: unsupported field type {}", path, f->cpp_type_name()));
  }
}

void set_field(gpb::Message& message, const Field* f, const Value& v, Side side,
               const std::string& path) {
  if (v.is_nil()) {
    // A google.protobuf.Value says null, as Go's structpb does; anything
    // else is left out, which Lua reads as nil or the field's default.
    if (f->cpp_type() == Field::CPPTYPE_MESSAGE && f->message_type()->full_name() == kValue)
      set_one(message, f, v, side, path);
    return;
  }
  if (f->is_map()) {
    if (v.is_array() && v.as_array().empty())
      return;
    if (!v.is_map())
      throw CodecError(fmt::format("{}: expected a map, got {}", path, type_name(v)));
    const Field* key_field = f->message_type()->map_key();
    const Field* value_field = f->message_type()->map_value();
    for (const auto& [key, item] : v.as_map()) {
      gpb::Message* entry = message.GetReflection()->AddMessage(&message, f);
      set_one(*entry, key_field, key, side, path);
      const std::string item_path = key.is_text() ? path + "." + std::string(key.text()) : path;
      set_one(*entry, value_field, item, side, item_path);
    }
    return;
  }
  if (f->is_repeated()) {
    if (!v.is_array() && !v.is_map())
      throw CodecError(fmt::format("{}: expected an array, got {}", path, type_name(v)));
    std::size_t i = 0;
    for (const Value* item : sequence_of(v))
      set_one(message, f, *item, side, fmt::format("{}[{}]", path, i++));
    return;
  }
  set_one(message, f, v, side, path);
}

// A message from a value: the well-known types from their JSON-like value,
// any other from a map of its fields by name (keys it lacks are ignored, as
// Kong's encoder ignores them).
void fill(gpb::Message& message, const Value& v, Side side, const std::string& path) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == kValue) {
    to_value(v, static_cast<gpb::Value&>(message), side, path);
  } else if (type == kStruct) {
    to_struct(v, static_cast<gpb::Struct&>(message), side, path);
  } else if (type == kListValue) {
    to_list(v, static_cast<gpb::ListValue&>(message), side, path);
  } else {
    if (!v.is_map() && !(v.is_array() && v.as_array().empty()))
      throw CodecError(fmt::format("{}: expected a map of {} fields, got {}", path,
                                   message.GetDescriptor()->name(), type_name(v)));
    if (!v.is_map())
      return;
    for (const Field* f : fields_of(message.GetDescriptor())) {
      for (const auto& [key, item] : v.as_map()) {
        if (key.is_text() && key.text() == f->name())
          set_field(message, f, item, side, path + "." + f->name());
      }
    }
  }
}

// --- Messages into values -------------------------------------------------

Value from_value(const gpb::Value& v, Side side);

Value from_list(const gpb::ListValue& list, Side side) {
  Array items;
  items.reserve(static_cast<std::size_t>(list.values_size()));
  for (const auto& item : list.values())
    items.push_back(from_value(item, side));
  return Value(std::move(items));
}

Value from_struct(const gpb::Struct& s, Side side) {
  // Sorted by key: protobuf's map order is unspecified.
  std::vector<const std::string*> keys;
  for (const auto& [key, item] : s.fields())
    keys.push_back(&key);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  Map m;
  m.reserve(keys.size());
  for (const std::string* key : keys)
    m.emplace_back(Value(*key), from_value(s.fields().at(*key), side));
  return Value(std::move(m));
}

Value from_value(const gpb::Value& v, Side side) {
  switch (v.kind_case()) {
    case gpb::Value::kNullValue:
      return side == Side::kong ? Value("NULL_VALUE") : Value{};
    case gpb::Value::kBoolValue:
      return side == Side::kong && !v.bool_value() ? Value{} : Value(v.bool_value());
    case gpb::Value::kNumberValue:
      return Value(v.number_value());
    case gpb::Value::kStringValue:
      return Value(v.string_value());
    case gpb::Value::kListValue:
      return from_list(v.list_value(), side);
    case gpb::Value::kStructValue:
      return from_struct(v.struct_value(), side);
    case gpb::Value::KIND_NOT_SET:
      break;
  }
  return Value{};
}

Value from_message(const gpb::Message& message, Side side);

Value from_one(const gpb::Message& m, const Field* f, int index, Side side) {
  const gpb::Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case Field::CPPTYPE_INT32:
      return Value(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case Field::CPPTYPE_INT64:
      return Value(
          static_cast<long long>(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)));
    case Field::CPPTYPE_DOUBLE:
      return Value(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case Field::CPPTYPE_BOOL:
      return Value(rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f));
    case Field::CPPTYPE_STRING: {
      std::string s = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      return f->type() == Field::TYPE_BYTES ? Value(Bytes{std::move(s)}) : Value(std::move(s));
    }
    case Field::CPPTYPE_MESSAGE:
      return from_message(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), side);
    default:
      throw CodecError(
          fmt::format("{}: unsupported field type {}", f->full_name(), f->cpp_type_name()));
  }
}

// A field as Lua sees it after Kong's decoder: scalars always have a value
// (proto3 defaults), an absent message is nil.
Value from_field(const gpb::Message& m, const Field* f, Side side) {
  const gpb::Reflection* r = m.GetReflection();
  if (f->is_map()) {
    const Field* key_field = f->message_type()->map_key();
    const Field* value_field = f->message_type()->map_value();
    Map entries;
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      const gpb::Message& entry = r->GetRepeatedMessage(m, f, i);
      entries.emplace_back(from_one(entry, key_field, -1, side),
                           from_one(entry, value_field, -1, side));
    }
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return to_debug_string(a.first) < to_debug_string(b.first);
    });
    return Value(std::move(entries));
  }
  if (f->is_repeated()) {
    Array items;
    for (int i = 0; i < r->FieldSize(m, f); ++i)
      items.push_back(from_one(m, f, i, side));
    return Value(std::move(items));
  }
  if ((f->cpp_type() == Field::CPPTYPE_MESSAGE || f->containing_oneof() != nullptr) &&
      !r->HasField(m, f)) {
    return Value{};
  }
  return from_one(m, f, -1, side);
}

Value from_message(const gpb::Message& message, Side side) {
  const std::string& type = message.GetDescriptor()->full_name();
  if (type == kValue)
    return from_value(static_cast<const gpb::Value&>(message), side);
  if (type == kStruct)
    return from_struct(static_cast<const gpb::Struct&>(message), side);
  if (type == kListValue)
    return from_list(static_cast<const gpb::ListValue&>(message), side);
  Map m;
  for (const Field* f : fields_of(message.GetDescriptor())) {
    Value v = from_field(message, f, side);
    if (!v.is_nil())
      m.emplace_back(Value(f->name()), std::move(v));
  }
  return Value(std::move(m));
}

// One of the function's messages (`pb_input`, `pb_output`); a function
// without an rpc in Kong's .proto has neither.
std::string message_name(std::string_view name) {
  if (name.empty()) {
    throw CodecError(
        "Kong has no ProtoBuf:1 rpc for this function; serving the plugin over MsgPack:1 "
        "reaches it");
  }
  return std::string(name);
}

// kong.response.exit writes a table body as JSON with its content type; over
// ProtoBuf:1 the body is bytes, so the plugin writes the JSON itself and the
// client gets what it would over MsgPack:1.
std::optional<Array> exit_with_text_body(const Array& args) {
  if (args.size() < 2 || !(args[1].is_map() || args[1].is_array()))
    return std::nullopt;
  Array adapted = args;
  adapted[1] = Value(Bytes{value_to_json(args[1]).dump()});
  if (adapted.size() < 3 || adapted[2].is_nil())
    adapted.resize(3, Value(Map{}));
  if (adapted[2].is_map()) {
    Map& headers = adapted[2].as_map();
    const bool typed = std::any_of(headers.begin(), headers.end(), [](const auto& h) {
      return h.first.is_text() && equals_ignoring_case(h.first.text(), "content-type");
    });
    if (!typed)
      headers.emplace_back(Value("Content-Type"), Value("application/json; charset=utf-8"));
  }
  return adapted;
}

}  // namespace

std::string serialize(const gpb::Message& message) {
  std::string out;
  {
    gpb::io::StringOutputStream stream(&out);
    gpb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

void to_protobuf_value(const Value& v, gpb::Value& out) {
  to_value(v, out, Side::plugin, "value");
}

namespace {

std::string encode_arguments_or_throw(const MethodInfo& method, const Array& call_args) {
  const std::string name = message_name(method.pb_input);
  const std::optional<Array> exit_args =
      name == "ExitArgs" ? exit_with_text_body(call_args) : std::nullopt;
  const Array& args = exit_args ? *exit_args : call_args;
  auto extra = [&](std::size_t from) {
    for (std::size_t i = from; i < args.size(); ++i) {
      if (!args[i].is_nil()) {
        throw CodecError(fmt::format(
            "argument {} ({}) cannot travel over ProtoBuf:1: Kong's {} carries {} argument(s)",
            i + 1, to_debug_string(args[i]), name, from));
      }
    }
  };
  if (name == kEmpty) {
    extra(0);
    return {};
  }
  const gpb::Descriptor* type = message_type(name);
  auto message = new_message(type);
  if (name == kListValue) {
    to_list(Value(args), static_cast<gpb::ListValue&>(*message), Side::plugin, "arguments");
  } else if (name == kValue || name == kStruct) {
    extra(1);
    fill(*message, args.empty() ? Value{} : args[0], Side::plugin, "argument 1");
  } else {
    const auto fields = fields_of(type);
    extra(fields.size());
    for (std::size_t i = 0; i < fields.size() && i < args.size(); ++i) {
      set_field(*message, fields[i], args[i], Side::plugin,
                fmt::format("argument {} ({}.{})", i + 1, name, fields[i]->name()));
    }
  }
  return serialize(*message);
}

Value decode_result_or_throw(const MethodInfo& method, std::string_view frame) {
  const std::string name = message_name(method.pb_output);
  if (name == kEmpty || (frame.empty() && method.result_optional))
    return Value{};
  const gpb::Descriptor* type = message_type(name);
  auto message = parse(type, frame);
  if (is_wrapper(type))
    return from_field(*message, type->field(0), Side::plugin);
  Value v = from_message(*message, Side::plugin);
  if (name == "RawBodyResult") {
    // One of: the body, the file Kong buffered it to, or why it has none.
    if (const Value* content = v.find("content"))
      return *content;
    if (v.find("body_filepath") != nullptr)
      return v;
    if (const Value* error = v.find("error"))
      throw CodecError(fmt::format("Kong could not read the body: {}", error->text()));
    return Value(Bytes{});
  }
  if (name == "UriCapturesResult") {
    // Kong's encoder drops index 0 (the whole match) of Lua's array; keep
    // unnamed[i] the i-th group, as over MsgPack:1, with an empty whole match.
    for (auto& [key, item] : v.as_map()) {
      if (key.text() == "unnamed" && !item.as_array().empty())
        item.as_array().insert(item.as_array().begin(), Value(""));
    }
  }
  return v;
}

Array decode_arguments_or_throw(const MethodInfo& method, std::string_view frame) {
  const std::string name = message_name(method.pb_input);
  if (name == kEmpty)
    return {};
  const gpb::Descriptor* type = message_type(name);
  auto message = parse(type, frame);
  if (name == kListValue)
    return from_list(static_cast<const gpb::ListValue&>(*message), Side::kong).as_array();
  if (name == kValue || name == kStruct)
    return Array{from_message(*message, Side::kong)};
  Array args;
  for (const Field* f : fields_of(type))
    args.push_back(from_field(*message, f, Side::kong));
  return args;
}

std::string encode_result_or_throw(const MethodInfo& method, const Value& result) {
  const std::string name = message_name(method.pb_output);
  if (name == kEmpty || result.is_nil())
    return {};
  const gpb::Descriptor* type = message_type(name);
  auto message = new_message(type);
  const std::string path = fmt::format("{} result", method.name);
  if (is_wrapper(type)) {
    set_field(*message, type->field(0), result, Side::kong, path);
  } else if (name == "RawBodyResult") {
    auto& body = static_cast<kong_plugin_protocol::RawBodyResult&>(*message);
    if (result.is_text())
      body.set_content(std::string(result.text()));
    else
      body.set_error("Can't read request body");
  } else {
    fill(*message, result, Side::kong, path);
  }
  return serialize(*message);
}

}  // namespace

// The conversions throw CodecError from deep in a message's fields; the
// public functions give it back as an Error.
template <class F>
auto guarded(F&& convert) -> Result<decltype(convert())> {
  try {
    return convert();
  } catch (const CodecError& e) {
    return Error{e.what()};
  }
}

Result<std::string> encode_arguments(const MethodInfo& method, const Array& args) {
  return guarded([&] { return encode_arguments_or_throw(method, args); });
}

Result<Value> decode_result(const MethodInfo& method, std::string_view frame) {
  return guarded([&] { return decode_result_or_throw(method, frame); });
}

Result<Array> decode_arguments(const MethodInfo& method, std::string_view frame) {
  return guarded([&] { return decode_arguments_or_throw(method, frame); });
}

Result<std::string> encode_result(const MethodInfo& method, const Value& result) {
  return guarded([&] { return encode_result_or_throw(method, result); });
}

}  // namespace kong::protocol::protobuf
