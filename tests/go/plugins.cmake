# The Go plugins on Kong's Go PDK (go-pdk, ProtoBuf:1) that the tests replay
# and the benchmarks drive, built by tests/go/build with the machine's go,
# which fetches the module go.mod pins through the module proxy. Sets
# KONG_GO_HELLO and KONG_GO_CHAIN to the go-hello and go-chain executables
# when go is found.
find_program(GO_EXECUTABLE go)
if(GO_EXECUTABLE)
  set(KONG_GO_PLUGINS ${PROJECT_BINARY_DIR}/go-plugins)
  file(GLOB_RECURSE go_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.go)
  add_custom_command(OUTPUT ${KONG_GO_PLUGINS}/go-hello ${KONG_GO_PLUGINS}/go-slow-handler
      ${KONG_GO_PLUGINS}/go-chain
    COMMAND ${CMAKE_COMMAND} -E env GO=${GO_EXECUTABLE}
      ${CMAKE_CURRENT_LIST_DIR}/build ${KONG_GO_PLUGINS}
    DEPENDS ${go_sources} ${CMAKE_CURRENT_LIST_DIR}/go.mod ${CMAKE_CURRENT_LIST_DIR}/go.sum
      ${CMAKE_CURRENT_LIST_DIR}/build
    COMMENT "Building the Go plugins (Kong's Go PDK)"
    VERBATIM)
  add_custom_target(go-plugins ALL DEPENDS ${KONG_GO_PLUGINS}/go-hello)
  set(KONG_GO_HELLO ${KONG_GO_PLUGINS}/go-hello)
  set(KONG_GO_CHAIN ${KONG_GO_PLUGINS}/go-chain)
endif()
