// kong.vault: secret references resolved from the fixture's `vault` map
// (kong/pdk/vault.lua; the map stands for the vaults and their caches).
#include <algorithm>
#include <cctype>
#include <variant>

#include <fmt/format.h>

#include "kong/mock/config_schema.h"

#include "emulation/emulation.h"
#include "emulation/lua_table.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

bool is_reference(const Value& v) {
  return v.is_text() && is_vault_reference(v.text());
}

struct Reference {
  std::string name;
  std::string resource;
  std::optional<std::string> key;
  std::optional<std::string> query;
  std::optional<double> version;
};

// ngx.unescape_uri: %XX and "+" as a space.
std::string unescape_uri(std::string_view s) {
  return url_decode(s, true);
}

// parse_reference, splitting the URL as LuaSocket's url.parse does. The
// error is the text Kong returns as its second value.
std::variant<Reference, std::string> parse(const Value& v) {
  if (!is_reference(v))
    return fmt::format("not a reference [{}]", lua_tostring(v));
  const std::string reference(v.text());
  std::string_view rest = std::string_view(reference).substr(9, reference.size() - 10);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  std::optional<std::string_view> fragment;
  std::optional<std::string_view> query;
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (const auto semi = rest.find(';'); semi != std::string_view::npos)
    rest = rest.substr(0, semi);
  if (const auto at = authority.find('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (const auto colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    authority = authority.substr(0, colon);
  }
  if (authority.empty())
    return fmt::format("reference url is missing host [{}]", reference);
  if (rest.empty())
    return fmt::format("reference url is missing path [{}]", reference);
  const std::string_view path = rest.substr(1);
  if (path.empty())
    return fmt::format("reference url has empty path [{}]", reference);

  Reference r;
  r.name = std::string(authority);
  if (fragment) {
    // tonumber(fragment, 10): base 10 is LuaJIT's full number syntax
    // ("0x2", "1e0" and "1.5" are versions too).
    r.version = lua_tonumber(*fragment);
    if (!r.version)
      return fmt::format("reference url has invalid version [{}]", reference);
  }
  // url.parse_path: non-empty segments, each unescaped; the last is the key,
  // unless the path ends with "/" (a directory: all of it is the resource).
  const bool directory = path.ends_with('/');
  std::vector<std::string> parts;
  for (std::string_view p = path; !p.empty();) {
    const auto slash = p.find('/');
    if (slash != 0)
      parts.push_back(url_decode(p.substr(0, slash), false));
    p = slash == std::string_view::npos ? "" : p.substr(slash + 1);
  }
  const bool has_key = parts.size() > 1 && !directory;
  std::string joined;
  for (std::size_t i = 0; i + (has_key ? 1 : 0) < parts.size(); ++i)
    joined += (i ? "/" : "") + parts[i];
  r.resource = unescape_uri(joined);
  if (has_key)
    r.key = unescape_uri(parts.back());
  if (r.resource.empty())
    return fmt::format("reference url has invalid path [{}]", reference);
  if (query && !query->empty())
    r.query = std::string(*query);
  return r;
}

// A secret, or Kong's error text for why there is none.
struct Secret {
  std::optional<std::string> value;
  std::string error;
};

Secret failed(std::string error) {
  return {std::nullopt, std::move(error)};
}

// The secret behind a parsed reference.
Secret lookup(const KongSettings& kong, const Reference& r) {
  const auto vault = kong.vault.find(r.name);
  if (r.name != "env" && vault == kong.vault.end())
    return failed(fmt::format("could not find vault ({})", r.name));
  // The env vault reads PREFIX + RESOURCE, upper case, "-" as "_" (kong/vaults/env).
  std::string name = r.resource;
  if (r.name == "env") {
    if (r.query) {
      const Value config = Value(decode_args(*r.query));
      if (const Value* prefix = config.find("prefix"); prefix && prefix->is_text())
        name = std::string(prefix->text()) + name;
    }
    std::replace(name.begin(), name.end(), '-', '_');
    std::transform(name.begin(), name.end(), name.begin(), ::toupper);
    if (r.version == 2)
      name += "_PREVIOUS";
  }
  const Secret no_value = failed("could not get value from external vault (no value found)");
  if (vault == kong.vault.end())
    return no_value;
  const auto secret = vault->second.find(name);
  if (secret == vault->second.end())
    return no_value;
  if (!r.key)
    return {secret->second, {}};
  // A key reads one string field of a JSON object secret.
  const auto json = nlohmann::json::parse(secret->second, nullptr, false);
  std::string problem;
  if (!json.is_object()) {
    problem = fmt::format("unable to json decode value ({}): Expected value", secret->second);
  } else if (!json.contains(*r.key)) {
    problem = fmt::format("subfield {} not found in JSON secret", *r.key);
  } else if (!json[*r.key].is_string()) {
    problem = fmt::format("unexpected {} value in JSON secret for subfield {}",
                          lua_type(protocol::json_to_value(json[*r.key])), *r.key);
  } else {
    return {json[*r.key].get<std::string>(), {}};
  }
  return failed(fmt::format(
      "could not get value from external vault (could not get subfield value: {})", problem));
}

// get(): the secret, or nil with Kong's error (dropped over MsgPack).
Secret resolve(const KongSettings& kong, const Value& reference) {
  auto parsed = parse(reference);
  if (auto* error = std::get_if<std::string>(&parsed))
    return failed(*error);
  return lookup(kong, std::get<Reference>(parsed));
}

Value get(KongState& s, const Array& args) {
  const Secret secret = resolve(*s.kong, arg(args, 0));
  s.soft_error = secret.error;
  return secret.value ? Value(*secret.value) : Value{};
}

Value is_reference_handler(KongState&, const Array& args) {
  return Value(is_reference(arg(args, 0)));
}

Value parse_reference(KongState& s, const Array& args) {
  auto parsed = parse(arg(args, 0));
  const auto* r = std::get_if<Reference>(&parsed);
  s.soft_error = r ? "" : std::get<std::string>(parsed);
  if (r == nullptr)
    return Value{};
  Map m;
  m.emplace_back(Value("name"), Value(r->name));
  m.emplace_back(Value("resource"), Value(r->resource));
  if (r->key)
    m.emplace_back(Value("key"), Value(*r->key));
  if (r->query)
    m.emplace_back(Value("config"), Value(decode_args(*r->query)));
  if (r->version)
    m.emplace_back(Value("version"), lua_number(*r->version));
  return Value(std::move(m));
}

// update_from_cache: the secret, or "" and a warning naming the reference.
void update_field(KongState& s, const Value& reference, Value& field) {
  const Secret secret = resolve(*s.kong, reference);
  if (!secret.value) {
    // The fixture's map is the cache; a secret it lacks is not cached.
    std::string error = secret.error;
    if (error.starts_with("could not get value"))
      error = "could not find cached value";
    s.log.push_back(
        {"warn",
         fmt::format("error updating secret reference {}: {}", lua_tostring(reference), error),
         s.phase});
  }
  field = Value(secret.value.value_or(""));
}

Value* field_of(Value& table, const Value& key) {
  if (table.is_map()) {
    for (auto& [k, v] : table.as_map()) {
      if (k == key)
        return &v;
    }
    table.as_map().emplace_back(key, Value{});
    return &table.as_map().back().second;
  }
  if (table.is_array() && key.is_int() && key.as_int() >= 1) {
    auto& a = table.as_array();
    if (static_cast<std::size_t>(key.as_int()) > a.size())
      a.resize(static_cast<std::size_t>(key.as_int()));
    return &a[static_cast<std::size_t>(key.as_int() - 1)];
  }
  throw LuaError{"attempt to index local 'record' (a nil value)"};
}

// Kong's update: fields named in each table's "$refs" get their secrets.
void update_table(KongState& s, Value& table) {
  if (table.is_array()) {
    for (auto& v : table.as_array())
      update_table(s, v);
    return;
  }
  if (!table.is_map())
    return;
  for (auto& [k, v] : table.as_map()) {
    if (!(k.is_text() && k.text() == "$refs"))
      update_table(s, v);
  }
  const Value* refs_ptr = table.find("$refs");
  if (refs_ptr == nullptr || !(refs_ptr->is_map() || refs_ptr->is_array()))
    return;
  const Value refs = *refs_ptr;
  // Lua's pairs: 1-based array indexes, and nil is no entry at all.
  auto each = [](const Value& t, auto&& f) {
    if (t.is_map()) {
      for (const auto& [k, v] : t.as_map()) {
        if (!v.is_nil())
          f(k, v);
      }
    } else {
      for (std::size_t i = 0; i < t.as_array().size(); ++i) {
        if (!t.as_array()[i].is_nil())
          f(Value(static_cast<std::int64_t>(i + 1)), t.as_array()[i]);
      }
    }
  };
  each(refs, [&](const Value& name, const Value& reference) {
    if (reference.is_text()) {
      update_field(s, reference, *field_of(table, name));
    } else if (reference.is_map() || reference.is_array()) {
      each(reference, [&](const Value& key, const Value& ref) {
        Value* record = field_of(table, name);
        if (!record->is_map() && !record->is_array())
          throw LuaError{
              fmt::format("attempt to index local 'record' (a {} value)", lua_type(*record))};
        update_field(s, ref, *field_of(*record, key));
      });
    }
  });
}

Value update(KongState& s, const Array& args) {
  Value options = arg(args, 0);
  update_table(s, options);
  return options;
}

Value warmup(KongState&, const Array& args) {
  const Value& input = arg(args, 0);
  if (lua_type(input) != "table") {
    throw LuaError{
        fmt::format("bad argument #1 to 'pairs' (table expected, got {})", lua_type(input))};
  }
  return Value{};  // the secrets are in the fixture already: nothing to warm
}

// The cache is the fixture itself; the worker's vault is initialised already.
Value no_op(KongState&, const Array&) {
  return Value{};
}

}  // namespace

std::optional<std::string> resolve_vault_reference(const KongSettings& kong,
                                                   const std::string& reference,
                                                   std::string& error) {
  Secret secret = resolve(kong, Value(reference));
  error = std::move(secret.error);
  return secret.value;
}

void register_vault(Emulation& e) {
  using enum protocol::MethodId;
  e.add(vault_flush, no_op);
  e.add(vault_get, get);
  e.add(vault_init_worker, no_op);
  e.add(vault_is_reference, is_reference_handler);
  e.add(vault_parse_reference, parse_reference);
  e.add(vault_update, update);
  e.add(vault_warmup, warmup);
}

}  // namespace kong::mock
