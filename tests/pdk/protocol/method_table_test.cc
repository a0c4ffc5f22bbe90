#include "kong/protocol/method_table.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace kong::protocol {
namespace {

TEST(MethodTable, FindsEveryEntryByItsKongName) {
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    EXPECT_EQ(find_method(kMethods[i].name), &kMethods[i]) << kMethods[i].name;
  }
}

TEST(MethodTable, FindsNothingElse) {
  for (std::string_view name :
       {"", "kong", "kong.request", "kong.request.", "kong.request.get_header ",
        " kong.request.get_header", "kong.request.get_heade", "kong.request.get_headerx",
        "KONG.REQUEST.GET_HEADER", "kong.response.errors", "kong.nonexistent", "plugin.Step", "a",
        "zzz", "kong.client.get_i", "kong.service.request.set_raw_query2"}) {
    EXPECT_EQ(find_method(name), nullptr) << '"' << name << '"';
  }
  EXPECT_EQ(find_method(std::string_view("kong.request.get_header\0", 24)), nullptr);
}

TEST(MethodTable, IndexesEveryEntryByItsId) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kMethods[i].id), i) << kMethods[i].name;
    EXPECT_EQ(&info(kMethods[i].id), &kMethods[i]) << kMethods[i].name;
    EXPECT_TRUE(kMethods[i].name.starts_with("kong.")) << kMethods[i].name;
    EXPECT_TRUE(names.insert(kMethods[i].name).second) << "twice: " << kMethods[i].name;
  }
  EXPECT_EQ(methods::request_get_header.info().name, "kong.request.get_header");
  EXPECT_EQ(methods::response_exit.info().name, "kong.response.exit");
}

struct PhaseErrorCase {
  MethodId id;
  const char* phase;
  const char* error;  // Kong's text (kong/pdk/private/phases.lua)
};

TEST(MethodTable, WritesPhaseErrorsAsKongDoes) {
  const PhaseErrorCase cases[] = {
      {MethodId::response_get_status, "access",
       "function cannot be called in access phase (only in: response, header_filter, "
       "body_filter, log, error, admin_api)"},
      {MethodId::client_get_ip, "init_worker",
       "function cannot be called in init_worker phase (can be called in any phases except: "
       "init_worker)"},
      {MethodId::request_get_port, "init_worker",
       "function cannot be called in init_worker phase (can be called in any phases except: "
       "init_worker)"},
      {MethodId::response_exit, "log",
       "function cannot be called in log phase (only in: rewrite, access, balancer, response, "
       "header_filter, error, admin_api)"},
      {MethodId::request_get_header, "certificate",
       "function cannot be called in certificate phase (only in: rewrite, access, balancer, "
       "response, cluster_listener, header_filter, body_filter, log, error, admin_api)"},
      {MethodId::request_get_raw_body, "log",
       "function cannot be called in log phase (only in: rewrite, access, response, error, "
       "admin_api)"},
      {MethodId::service_request_set_header, "response",
       "function cannot be called in response phase (only in: rewrite, access, balancer)"},
      {MethodId::service_request_set_method, "log",
       "function cannot be called in log phase (only in: rewrite, access)"},
      {MethodId::response_set_header, "preread",
       "function cannot be called in preread phase (only in: rewrite, access, balancer, response, "
       "header_filter, error, admin_api)"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(info(c.id).phase_error(c.phase), c.error) << info(c.id).name;
  }
}

struct AllowedCase {
  MethodId id;
  std::set<Phase> allowed;  // of the phases an external plugin runs in
};

TEST(MethodTable, AllowsEachFunctionInKongsPhasesOnly) {
  using enum Phase;
  const std::set<Phase> every = {certificate, rewrite, access, response, preread, log};
  const AllowedCase cases[] = {
      {MethodId::client_get_ip, every},
      {MethodId::log_info, every},
      {MethodId::ctx_shared_get, every},
      {MethodId::request_get_port, every},
      {MethodId::request_get_header, {rewrite, access, response, log}},
      {MethodId::request_get_raw_body, {rewrite, access, response}},
      {MethodId::response_get_status, {response, log}},
      {MethodId::response_set_header, {rewrite, access, response}},
      {MethodId::response_exit, {rewrite, access, response}},
      {MethodId::service_request_set_header, {rewrite, access}},
      {MethodId::service_request_set_raw_query, {rewrite, access}},
  };
  for (const auto& c : cases) {
    for (Phase p : kAllPhases) {
      EXPECT_EQ(info(c.id).allowed_in(bit(p)), c.allowed.contains(p))
          << info(c.id).name << " in " << to_string(p);
    }
  }
}

TEST(MethodTable, NamesProtobufMessagesOfTheRpc) {
  EXPECT_EQ(info(MethodId::request_get_header).pb_input, "String");
  EXPECT_EQ(info(MethodId::request_get_header).pb_output, "String");
  EXPECT_EQ(info(MethodId::response_exit).pb_input, "ExitArgs");
  EXPECT_EQ(info(MethodId::request_get_headers).pb_output, "google.protobuf.Struct");
  EXPECT_EQ(info(MethodId::log_err).pb_input, "google.protobuf.ListValue");
}

TEST(PhaseNames, ListKongPhasesInBitOrder) {
  EXPECT_EQ(phase_list(kEveryPhase),
            "init_worker, certificate, client_hello, rewrite, access, balancer, response, "
            "cluster_listener, header_filter, body_filter, log, preread, error, admin_api");
  EXPECT_EQ(phase_list(phases::rewrite_access), "rewrite, access");
  EXPECT_EQ(phase_list(0), "");
}

TEST(PhaseNames, ParseWhatTheyPrint) {
  for (Phase p : kAllPhases)
    EXPECT_EQ(parse_phase(to_string(p)), p) << to_string(p);
  EXPECT_EQ(to_string(Phase::certificate), "certificate");
  EXPECT_EQ(to_string(Phase::preread), "preread");
  for (std::string_view bad : {"", "Access", "init_worker", "header_filter", "access "}) {
    EXPECT_EQ(parse_phase(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace kong::protocol
