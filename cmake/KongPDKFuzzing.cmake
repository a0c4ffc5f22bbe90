# kong_plugin_fuzz_coverage(<target>): builds a plugin executable for
# coverage-guided fuzzing by `mock-kong --fuzz`. The target's own sources
# are compiled with g++'s -fsanitize-coverage=trace-pc and trace-cmp, and
# it links kong::fuzz_coverage, which records the edges its code takes and
# the constants it compares with in memory mock-kong shares (the file named
# by KONG_FUZZ_COVERAGE); mock-kong then keeps the requests that reach new
# code. Without mock-kong the plugin runs as usual, a little slower: build
# a separate target for fuzzing, e.g.
#
#   add_executable(my-plugin-fuzz src/my_plugin.cc)
#   target_link_libraries(my-plugin-fuzz PRIVATE kong::pdk)
#   kong_plugin_fuzz_coverage(my-plugin-fuzz)

function(kong_plugin_fuzz_coverage target)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "kong_plugin_fuzz_coverage(${target}): needs g++ or clang++ "
      "(-fsanitize-coverage), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  target_compile_options(${target} PRIVATE
    -fsanitize-coverage=trace-pc -fsanitize-coverage=trace-cmp)
  target_link_libraries(${target} PRIVATE kong::fuzz_coverage)
endfunction()
