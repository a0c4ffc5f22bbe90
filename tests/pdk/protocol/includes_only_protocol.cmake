# kong::protocol (pdk/include/kong/protocol, pdk/src/protocol) is the wire
# layer that mock-kong and the plugin server share; it must build without the
# typed PDK, mock-kong or the testing library. A header that reaches for one of
# them would compile today, because all headers share one include root, and
# break the split later: this check names each such include.
# Usage: cmake -DROOT=<source dir> -P includes_only_protocol.cmake
file(GLOB_RECURSE files
  ${ROOT}/pdk/include/kong/protocol/*.h ${ROOT}/pdk/src/protocol/*.h ${ROOT}/pdk/src/protocol/*.cc)
set(offences "")
foreach(file IN LISTS files)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]kong/(pdk|mock|testing)/")
  foreach(line IN LISTS lines)
    file(RELATIVE_PATH rel ${ROOT} ${file})
    string(APPEND offences "  ${rel}: ${line}\n")
  endforeach()
endforeach()
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "no kong::protocol sources under ${ROOT}")
endif()
if(offences)
  message(FATAL_ERROR "kong::protocol includes headers outside itself:\n${offences}")
endif()
message(STATUS "${count} kong::protocol files include only the protocol and the standard library")
