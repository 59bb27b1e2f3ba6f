# ctest abi.exports: builds libbabyapi alone as a shared library (into BINARY) and checks its
# dynamic symbol table with nm. A shared build must export the public API alone: nothing of a
# namespace named detail (babyapi's, or nlohmann's compiled into libbabyapi), nothing of babyapi
# outside the versioned namespace babyapi::ABI_NAMESPACE, nothing of nlohmann. Offenders are
# printed.
#   cmake -DSOURCE=<repo> -DBINARY=<dir> -DGENERATOR=<gen> -DCXX=<c++> -DBUILD_TYPE=<type>
#         -DABI_NAMESPACE=v0_1 -DNM=<nm> -P check_exports.cmake
foreach(var SOURCE BINARY GENERATOR CXX ABI_NAMESPACE NM)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_exports.cmake: ${var} is not set")
  endif()
endforeach()

execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BINARY} -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DBUILD_SHARED_LIBS=ON
    -DBABYAPI_BUILD_TESTS=OFF -DBABYAPI_BUILD_EXAMPLES=OFF -DBABYAPI_BUILD_EMULATOR=OFF
    -DBABYAPI_BUILD_CLI=OFF -DBABYAPI_INSTALL=OFF
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the shared build failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY} --target babyapi -j2 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the shared libbabyapi failed (${rc})")
endif()

set(library ${BINARY}/libbabyapi.so)
execute_process(COMMAND ${NM} -DC --defined-only ${library}
  OUTPUT_VARIABLE table RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -DC --defined-only ${library} failed (${rc})")
endif()

# One symbol per line: "<address> <type> <demangled name>". Brackets and semicolons would upset
# CMake lists.
string(REPLACE "[" "<" table "${table}")
string(REPLACE "]" ">" table "${table}")
string(REPLACE ";" "," table "${table}")
string(REGEX REPLACE "\n$" "" table "${table}")
string(REPLACE "\n" ";" lines "${table}")

set(count 0)
set(public 0)
set(standard 0)
set(offending "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^[0-9a-fA-F]+ [A-Za-z] (.*)$")
    continue()
  endif()
  set(name "${CMAKE_MATCH_1}")
  math(EXPR count "${count} + 1")
  # A namespace named detail: babyapi's or nlohmann's. (libstdc++'s own std::__detail is not
  # matched, nor a name that merely contains the word, like BabyAPIError::details().)
  if(name MATCHES "(^|[^A-Za-z0-9_])detail::")
    list(APPEND offending "internal (detail): ${name}")
    continue()
  endif()
  string(REGEX REPLACE "^(typeinfo name for|typeinfo for|vtable for|VTT for|construction vtable for|non-virtual thunk to|virtual thunk to|guard variable for) " "" subject "${name}")
  if(subject MATCHES "^babyapi::${ABI_NAMESPACE}::")
    # babyapi's public API; no babyapi name outside the versioned namespace may appear in it.
    string(REPLACE "babyapi::${ABI_NAMESPACE}::" "" stripped "${subject}")
    if(stripped MATCHES "babyapi::")
      list(APPEND offending "names babyapi outside babyapi::${ABI_NAMESPACE}: ${name}")
    else()
      math(EXPR public "${public} + 1")
    endif()
    continue()
  endif()
  # Anything else that names babyapi (outside the public types) or nlohmann is ours, or
  # nlohmann's compiled into libbabyapi, and leaked out.
  string(REPLACE "babyapi::${ABI_NAMESPACE}::" "" stripped "${subject}")
  if(stripped MATCHES "babyapi|nlohmann")
    list(APPEND offending "not babyapi's public API: ${name}")
    continue()
  endif()
  # What is left is the standard library's: templates of std and __gnu_cxx instantiated where
  # libbabyapi uses them, on standard types or on babyapi's public (exported) ones. libstdc++
  # declares its namespaces with default visibility, so these stay exported (weak, like every
  # other copy of them); they are counted.
  math(EXPR standard "${standard} + 1")
endforeach()

message(STATUS "${library}: ${count} exported symbols: ${public} of babyapi::${ABI_NAMESPACE}, "
  "${standard} standard-library template instantiations")
if(count EQUAL 0 OR public EQUAL 0)
  message(FATAL_ERROR "no public symbols read from ${library}")
endif()
if(offending)
  list(LENGTH offending bad)
  list(JOIN offending "\n  " shown)
  message(FATAL_ERROR "${library} exports ${bad} symbols it must not:\n  ${shown}")
endif()
message(STATUS "abi.exports: only the public API is exported")
