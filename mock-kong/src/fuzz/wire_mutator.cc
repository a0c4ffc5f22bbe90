// What a plugin server's socket may receive from a broken or hostile peer:
// each input breaks one thing and keeps the rest as Kong sends it.
#include "fuzz/wire_mutator.h"

#include <limits>

#include <fmt/format.h>

#include "kong/protocol/frame_stream.h"
#include "kong/protocol/msgpack_codec.h"
#include "kong/protocol/rpc_message.h"

#include "proto/kong_plugin_protocol.pb.h"

namespace kong::mock {

using protocol::Array;
using protocol::Map;
using protocol::Value;
using protocol::rpc::Command;
namespace pb = kong_plugin_protocol;

namespace {

Value map_of(std::initializer_list<std::pair<const char*, Value>> fields) {
  Map m;
  for (const auto& [key, value] : fields)
    m.emplace_back(Value(key), value);
  return Value(std::move(m));
}

std::string encoded(const protocol::rpc::Request& request) {
  std::string out;
  protocol::rpc::encode(request, out, protocol::StrForm::kong);
  return out;
}

std::string framed(const pb::RpcCall& call) {
  std::string out;
  protocol::append_frame(out, call.SerializeAsString());
  return out;
}

// MessagePack headers declaring 2^32 - 1 items or bytes: no server can
// take what follows, and it can tell before the first byte of it.
const std::vector<std::pair<std::string, std::string>>& huge_headers() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"a str32", "\xdb\xff\xff\xff\xff"},      {"a bin32", "\xc6\xff\xff\xff\xff"},
      {"an array32", "\xdd\xff\xff\xff\xff"},   {"a map32", "\xdf\xff\xff\xff\xff"},
      {"an ext32", "\xc9\xff\xff\xff\xff\x01"},
  };
  return headers;
}

WireInput made(std::string what, std::string bytes, bool complete) {
  WireInput in;
  in.what = std::move(what);
  in.bytes = std::move(bytes);
  in.complete = complete;
  return in;
}

}  // namespace

WireMutator::WireMutator(Target target, std::uint64_t seed)
    : target_(std::move(target)), random_(seed) {}

WireInput WireMutator::next() {
  return target_.protocol == Protocol::protobuf ? protobuf() : msgpack();
}

std::string WireMutator::random_bytes(std::size_t max) {
  std::string bytes(1 + random_.below(max), '\0');
  for (char& b : bytes)
    b = static_cast<char>(random_.below(256));
  return bytes;
}

std::string WireMutator::phase_name() {
  if (target_.phases.empty() || random_.chance(20))
    return random_.chance(50) ? "" : "no_such_phase";
  return std::string(to_string(target_.phases[random_.below(target_.phases.size())]));
}

// A value of a type no field of Kong's messages has where it is put.
Value WireMutator::odd_value() {
  switch (random_.below(9)) {
    case 0:
      return Value{};
    case 1:
      return Value(-1);
    case 2:
      return Value(std::numeric_limits<std::int64_t>::min());
    case 3:
      return Value(1.5);
    case 4:
      return Value(true);
    case 5:
      return Value(std::string(random_.below(2) ? 0 : 70000, 'x'));
    case 6:
      return Value(Array{Value(1), Value("two"), Value(Array{})});
    case 7:
      return map_of({{"x", Value(1)}});
    default:
      return Value(Bytes{random_bytes(16)});
  }
}

// Bytes that are no message of either protocol's, or nothing but the start
// of one.
WireInput WireMutator::not_a_message() {
  switch (random_.below(3)) {
    case 0:
      return made("random bytes", random_bytes(256), false);
    case 1:
      return made("no bytes at all", "", false);
    default:
      return made("one byte", random_bytes(1), false);
  }
}

WireInput WireMutator::msgpack() {
  using protocol::rpc::request;
  const std::int64_t id = msgid_++;
  const Value instance(target_.instance_id);
  const auto good_event = [&] {
    return request(id, Command::handle_event,
                   Array{map_of({{"InstanceId", instance}, {"EventName", Value(phase_name())}})});
  };
  switch (random_.below(14)) {
    case 0:
      return not_a_message();
    case 1: {  // a good request, cut short
      std::string bytes = encoded(good_event());
      bytes.resize(1 + random_.below(bytes.size() - 1));
      return made("a plugin.HandleEvent cut short", bytes, false);
    }
    case 2: {
      const auto& [what, header] = huge_headers()[random_.below(huge_headers().size())];
      return made(fmt::format("{} declaring 4 GiB", what), header + random_bytes(8), true);
    }
    case 3:
      return made("the reserved byte 0xc1", "\xc1", true);
    case 4: {
      const std::size_t depth = 300 + random_.below(100000);
      return made("arrays nested past any depth", std::string(depth, '\x91') + '\xc0', true);
    }
    case 5: {  // the wrong shape
      static const std::vector<std::pair<std::string, Value>> shapes = {
          {"a request of two parts", Value(Array{Value(0), Value(1)})},
          {"a message of kind 3", Value(Array{Value(3), Value(1), Value("x"), Value(Array{})})},
          {"a string", Value("plugin.HandleEvent")},
          {"a map", map_of({{"msgid", Value(1)}})},
          {"a response sent to the server", Value(Array{Value(1), Value(1), Value{}, Value{}})},
          {"a notification sent to the server",
           Value(Array{Value(2), Value("serverPid"), Value(1)})},
          {"a request whose method is a number",
           Value(Array{Value(0), Value(1), Value(7), Value(Array{})})},
      };
      const auto& [what, shape] = random_.pick(shapes);
      std::string bytes;
      protocol::msgpack_encode(shape, bytes, protocol::StrForm::kong);
      return made(what, bytes, true);
    }
    case 6: {  // a msgid of an odd type: the answer must still come
      auto r = request(0, Command::get_instance_status, Array{instance});
      r.msgid = odd_value();
      return made(fmt::format("a msgid of type {}", protocol::type_name(r.msgid)), encoded(r),
                  true);
    }
    case 7: {
      static const std::vector<std::string> methods = {
          "plugin.NoSuchMethod", "", "kong.request.get_header", "plugin.step", "PLUGIN.STEP"};
      return made("a method Kong does not call",
                  encoded({Value(id), random_.pick(methods), Value(Array{})}), true);
    }
    case 8: {  // params of the wrong type
      const auto commands = protocol::rpc::commands();
      const Command c = commands[random_.below(commands.size())];
      Value params = odd_value();
      while (params.is_array())
        params = odd_value();
      return made(fmt::format("a {} whose params are {}", protocol::rpc::command_name(c),
                              protocol::type_name(params)),
                  encoded({Value(id), std::string(protocol::rpc::command_name(c)), params}), true);
    }
    case 9: {  // each command with fields of the wrong type, or missing
      const auto commands = protocol::rpc::commands();
      const Command c = commands[random_.below(commands.size())];
      const Value odd = odd_value();
      Array params;
      std::string broken;
      switch (c) {
        case Command::start_instance:
          if (random_.chance(50)) {
            params = {map_of({{"Name", odd}, {"Config", Value(target_.config)}})};
            broken = "Name";
          } else {
            params = {map_of({{"Name", Value(target_.plugin_name)}, {"Config", odd}})};
            broken = "Config";
          }
          break;
        case Command::get_instance_status:
        case Command::close_instance:
          params = {odd};
          broken = "instance id";
          break;
        case Command::handle_event:
          if (random_.chance(50)) {
            params = {map_of({{"InstanceId", odd}, {"EventName", Value("access")}})};
            broken = "InstanceId";
          } else {
            params = {map_of({{"InstanceId", instance}, {"EventName", odd}})};
            broken = "EventName";
          }
          break;
        default:  // the Step family
          params = {map_of({{"EventId", odd}, {"Data", Value{}}})};
          broken = "EventId";
          break;
      }
      if (random_.chance(20)) {
        params.push_back(Value(1));
        broken = "params (one too many)";
      }
      return made(fmt::format("a {} whose {} is {}", protocol::rpc::command_name(c), broken,
                              protocol::type_name(odd)),
                  encoded(request(id, c, std::move(params))), true);
    }
    case 10: {  // what no longer exists, or never did
      switch (random_.below(4)) {
        case 0:
          return made(
              "a plugin.Step for an event never started",
              encoded(request(id, Command::step,
                              Array{map_of({{"EventId", Value(999999999)}, {"Data", Value{}}})})),
              true);
        case 1:
          return made(
              "a plugin.HandleEvent for an instance never started",
              encoded(request(
                  id, Command::handle_event,
                  Array{map_of({{"InstanceId", Value(987654)}, {"EventName", Value("access")}})})),
              true);
        case 2:
          return made("a plugin.StartInstance of a plugin this server has not",
                      encoded(request(id, Command::start_instance,
                                      Array{map_of({{"Name", Value("no-such-plugin")},
                                                    {"Config", Value(target_.config)}})})),
                      true);
        default: {
          // Started, closed, then used: each a message of its own, at once.
          std::string bytes = encoded(request(id, Command::start_instance,
                                              Array{map_of({{"Name", Value(target_.plugin_name)},
                                                            {"Config", Value(target_.config)}})}));
          // The instance's id is the server's to choose: close a guess.
          const Value guess(target_.instance_id + 1 + static_cast<std::int64_t>(random_.below(4)));
          bytes += encoded(request(msgid_++, Command::close_instance, Array{guess}));
          bytes += encoded(request(msgid_++, Command::close_instance, Array{guess}));
          bytes += encoded(
              request(msgid_++, Command::handle_event,
                      Array{map_of({{"InstanceId", guess}, {"EventName", Value(phase_name())}})}));
          return made("an instance started, closed twice and then given an event", bytes, true);
        }
      }
    }
    case 11: {  // many messages in one write
      std::string bytes;
      const auto n = 2 + random_.below(200);
      for (std::uint64_t i = 0; i < n; ++i)
        bytes += encoded(request(msgid_++, Command::get_instance_status, Array{instance}));
      return made("many requests in one write", bytes, true);
    }
    case 12: {  // an event whose first PDK call Kong answers with nonsense
      WireInput in =
          made("an event whose first PDK call is answered with a value of the wrong type",
               encoded(good_event()), true);
      in.step_data = odd_value();
      return in;
    }
    default: {  // a good request followed by garbage in the same write
      std::string bytes = encoded(request(id, Command::get_instance_status, Array{instance}));
      bytes += random_bytes(64);
      return made("a good request followed by random bytes", bytes, false);
    }
  }
}

WireInput WireMutator::protobuf() {
  pb::RpcCall call;
  call.set_sequence(msgid_++);
  const auto instance = static_cast<std::int32_t>(target_.instance_id);
  switch (random_.below(11)) {
    case 0:
      return not_a_message();
    case 1: {
      static const std::vector<std::pair<std::string, std::string>> lengths = {
          {"a frame declaring 4 GiB", std::string("\xff\xff\xff\xff", 4)},
          {"a frame declaring 2 GiB", std::string("\x00\x00\x00\x80", 4)}};
      const auto& [what, prefix] = random_.pick(lengths);
      return made(what, prefix + random_bytes(8), true);
    }
    case 2: {
      std::string bytes;
      protocol::append_frame(bytes, "");
      return made("an empty frame (an RpcCall without a command)", bytes, true);
    }
    case 3: {
      std::string bytes;
      protocol::append_frame(bytes, random_bytes(64));
      return made("a frame of random bytes", bytes, true);
    }
    case 4: {  // cut short
      call.mutable_cmd_handle_event()->set_instance_id(instance);
      call.mutable_cmd_handle_event()->set_event_name(phase_name());
      std::string bytes = framed(call);
      bytes.resize(1 + random_.below(bytes.size() - 1));
      return made("a cmd_handle_event cut short", bytes, false);
    }
    case 5: {
      call.mutable_cmd_get_instance_status()->set_instance_id(
          random_.chance(50) ? -1 : std::numeric_limits<std::int32_t>::max());
      return made("a cmd_get_instance_status of an instance never started", framed(call), true);
    }
    case 6: {
      call.mutable_cmd_handle_event()->set_instance_id(random_.chance(50) ? instance : 987654);
      call.mutable_cmd_handle_event()->set_event_name(random_.chance(50) ? "" : "no_such_phase");
      return made("a cmd_handle_event for no phase or no instance", framed(call), true);
    }
    case 7: {
      auto* start = call.mutable_cmd_start_instance();
      if (random_.chance(50)) {
        start->set_name("no-such-plugin");
        start->set_config(target_.config);
        return made("a cmd_start_instance of a plugin this server has not", framed(call), true);
      }
      start->set_name(target_.plugin_name);
      start->set_config(random_.chance(50) ? random_bytes(32) : "[1, 2]");
      return made("a cmd_start_instance whose config is no JSON object", framed(call), true);
    }
    case 8: {
      call.mutable_cmd_get_plugin_info()->set_name(random_.chance(50) ? "" : "no-such-plugin");
      return made("a cmd_get_plugin_info of a plugin this server has not", framed(call), true);
    }
    case 9: {  // many frames in one write
      std::string bytes;
      const auto n = 2 + random_.below(200);
      for (std::uint64_t i = 0; i < n; ++i) {
        call.set_sequence(msgid_++);
        call.mutable_cmd_get_instance_status()->set_instance_id(instance);
        bytes += framed(call);
      }
      return made("many frames in one write", bytes, true);
    }
    default: {  // an event whose first PDK call Kong answers with nonsense
      call.mutable_cmd_handle_event()->set_instance_id(instance);
      call.mutable_cmd_handle_event()->set_event_name(phase_name());
      WireInput in =
          made("an event whose first PDK call is answered with random bytes", framed(call), true);
      std::string frame;
      protocol::append_frame(frame, random_bytes(48));
      in.step_frame = frame;
      return in;
    }
  }
}

}  // namespace kong::mock
