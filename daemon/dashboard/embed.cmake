# Run at build time (cmake -P): writes the page served at GET / as one C++
# string, with the vendored chart library put in place of its marker, so that
# the daemon serves it from memory and the build reads nothing but these files.
# In: PAGE (index.html), LIBRARY (chart.min.js), OUT (the .cpp to write).
file(READ "${PAGE}" page)
file(READ "${LIBRARY}" library)
set(marker "/*@CHART_JS@*/")
string(FIND "${page}" "${marker}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${PAGE} has no ${marker} for the chart library")
endif()
string(FIND "${library}" "</script" closes)
if(NOT closes EQUAL -1)
  message(FATAL_ERROR "${LIBRARY} contains </script, which would end its <script> element early")
endif()
string(REPLACE "${marker}" "${library}" page "${page}")
# ASCII only (the page writes other characters as &#x..; and \u....), so that
# cutting it into literals below never splits a character.
if(page MATCHES "[^\t\n\r -~]")
  message(FATAL_ERROR "the page or its library has a character outside printable ASCII")
endif()
set(delimiter "ballast_page")
string(FIND "${page}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "the page contains the raw string's delimiter )${delimiter}\"")
endif()
# Raw string literals of at most 16 KiB each, concatenated by the compiler.
string(LENGTH "${page}" length)
set(chunks "")
set(chunk 16384)
set(from 0)
while(from LESS length)
  string(SUBSTRING "${page}" ${from} ${chunk} piece)
  string(APPEND chunks "    R\"${delimiter}(${piece})${delimiter}\"\n")
  math(EXPR from "${from} + ${chunk}")
endwhile()
file(WRITE "${OUT}.tmp" "// Generated from daemon/dashboard/ by daemon/dashboard/embed.cmake: do not edit.
#include \"daemon/dashboard_page.hpp\"

namespace ballast::daemon {

std::string_view dashboard_page() {
  static constexpr char kPage[] =
${chunks}      ;
  return {kPage, sizeof kPage - 1};
}

}  // namespace ballast::daemon
")
# Only a changed page touches the file, so that nothing recompiles for nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
