# Plugins on Kong's own Go and Python PDKs, replayed like the JavaScript ones
# (included from tests/CMakeLists.txt, after kong_replay_test). Without the
# toolchain or the PDK, each test reports itself skipped and says how to get it.

# Go (go-pdk, ProtoBuf:1), built by tests/go/plugins.cmake. A go-pdk plugin
# is its own server with the Go conventions mock-kong assumes by default:
# `-dump`, `-kong-prefix DIR`, socket DIR/<executable>.socket.
if(KONG_GO_HELLO)
  kong_replay_test(go-hello tests/go/go-hello.json ${KONG_GO_HELLO})
  kong_bench_test(go-hello tests/go/go-hello.json ${KONG_GO_HELLO})
  kong_record_test(go-hello tests/go/go-hello.json SERVER ${KONG_GO_HELLO})
else()
  add_test(NAME Replay.go-hello COMMAND ${CMAKE_COMMAND} -E echo
    "skipped: go is not installed (Kong's Go PDK needs Go 1.21 or newer; put go on PATH, then reconfigure)")
  set_tests_properties(Replay.go-hello PROPERTIES SKIP_REGULAR_EXPRESSION "skipped:")
endif()

# Python (PyPI kong-pdk, MsgPack:1) in the virtual environment tests/python/setup
# makes (scripts/test runs it before building; CONFIGURE_DEPENDS reconfigures
# once it appears). The plugin runs the PDK's dedicated server, which names
# its socket <name>.sock, not Kong's default <name>.socket.
set(KONG_PYTHON_VENV ${PROJECT_SOURCE_DIR}/tests/python/.venv)
file(GLOB kong_python_pdk CONFIGURE_DEPENDS
  ${KONG_PYTHON_VENV}/lib/python*/site-packages/kong_pdk)
if(kong_python_pdk)
  set(python ${KONG_PYTHON_VENV}/bin/python)
  set(plugin ${PROJECT_SOURCE_DIR}/tests/python/plugins/py-hello.py)
  kong_replay_test(py-hello tests/python/py-hello.json
    --query-cmd "${python} ${plugin} -dump"
    --start-cmd "${python} ${plugin} -kong-prefix $KONG_PREFIX"
    --socket py-hello.sock)
  kong_bench_test(py-hello tests/python/py-hello.json
    --query-cmd "${python} ${plugin} -dump"
    --start-cmd "${python} ${plugin} -kong-prefix $KONG_PREFIX"
    --socket py-hello.sock)
  kong_record_test(py-hello tests/python/py-hello.json SERVER
    --query-cmd "${python} ${plugin} -dump"
    --start-cmd "${python} ${plugin} -kong-prefix $KONG_PREFIX"
    --socket py-hello.sock)
else()
  add_test(NAME Replay.py-hello COMMAND ${CMAKE_COMMAND} -E echo
    "skipped: Kong's Python PDK is not installed (scripts/test runs tests/python/setup, then reconfigures)")
  set_tests_properties(Replay.py-hello PROPERTIES SKIP_REGULAR_EXPRESSION "skipped:")
endif()
