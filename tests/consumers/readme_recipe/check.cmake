# cmake -DSOURCE_DIR=<sdk> -DWORK_DIR=<dir> -P check.cmake
# The README's install recipe, as written there, on a machine with only what it lists. It reads the
# `sudo apt-get install` and `cmake -S . -B build` lines of the "Installed, with find_package" block
# and configures with exactly those flags while hiding what the README does not list: pkg-config
# (and with it cpp-httplib), GoogleTest and Google Benchmark. Then:
#   1. the recipe configures and would build the library and the CLI and nothing else;
#   2. every dependency it found comes from a package the recipe lists (dpkg -S, on Debian);
#   3. the generator it names is in the list (-G Ninja needs ninja-build);
#   4. asking for the emulator and the examples without cpp-httplib skips the emulator with a message;
#   5. asking for the tests without cpp-httplib fails at configure time, naming the package.
cmake_minimum_required(VERSION 3.25)  # policies of this CMake (IN_LIST)
file(READ "${SOURCE_DIR}/README.md" readme)
string(FIND "${readme}" "**Installed, with `find_package`:**" at)
if(at LESS 0)
  message(FATAL_ERROR "README.md: no \"Installed, with find_package\" recipe")
endif()
string(SUBSTRING "${readme}" ${at} 2000 recipe)
if(NOT recipe MATCHES "\nsudo apt-get install ([^\n]+)\n")
  message(FATAL_ERROR "README.md: the recipe has no `sudo apt-get install` line")
endif()
separate_arguments(listed UNIX_COMMAND "${CMAKE_MATCH_1}")
list(FILTER listed EXCLUDE REGEX "^-")
if(NOT recipe MATCHES "\ncmake -S \\. -B build ([^\n]+)\n")
  message(FATAL_ERROR "README.md: the recipe has no `cmake -S . -B build` line")
endif()
separate_arguments(flags UNIX_COMMAND "${CMAKE_MATCH_1}")
message(STATUS "README lists: ${listed}")
message(STATUS "README flags: ${flags}")

# 3. The generator.
list(FIND flags "-G" g)
if(g GREATER_EQUAL 0)
  math(EXPR g "${g} + 1")
  list(GET flags ${g} generator)
  if(generator STREQUAL "Ninja" AND NOT "ninja-build" IN_LIST listed)
    message(FATAL_ERROR "the recipe uses -G Ninja but does not list ninja-build")
  endif()
elseif(NOT "make" IN_LIST listed)
  message(FATAL_ERROR "the recipe uses CMake's default generator (make) but does not list make")
endif()

set(empty "${WORK_DIR}/no-pkg-config-modules")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${empty}")
set(hide -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON
         -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON)

# Configures SOURCE_DIR into WORK_DIR/<name> with the README's flags and ARGN; sets <name>_status,
# <name>_output and <name>_targets (from the CMake file API's code model).
function(configure name)
  set(dir "${WORK_DIR}/${name}")
  file(WRITE "${dir}/.cmake/api/v1/query/codemodel-v2" "")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=PKG_CONFIG_PATH "PKG_CONFIG_LIBDIR=${empty}"
            ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${dir}" ${flags} ${hide} ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${name}_status ${status} PARENT_SCOPE)
  set(${name}_output "${out}${err}" PARENT_SCOPE)
  set(targets)
  file(GLOB index "${dir}/.cmake/api/v1/reply/index-*.json")
  if(index)
    file(READ "${index}" json)
    string(JSON model GET "${json}" reply codemodel-v2 jsonFile)
    file(READ "${dir}/.cmake/api/v1/reply/${model}" json)
    string(JSON n LENGTH "${json}" configurations 0 targets)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON target GET "${json}" configurations 0 targets ${i} name)
      list(APPEND targets ${target})
    endforeach()
    list(SORT targets)
  endif()
  set(${name}_targets "${targets}" PARENT_SCOPE)
endfunction()

# 1. The recipe itself.
configure(recipe)
if(NOT recipe_status EQUAL 0)
  message(FATAL_ERROR "the README recipe does not configure with only what it lists:\n${recipe_output}")
endif()
# `docs` exists when doxygen is installed; it is built only when asked for.
list(REMOVE_ITEM recipe_targets docs)
if(NOT recipe_targets STREQUAL "babyapi;babyapi-cli;babyapi_testing")
  message(FATAL_ERROR "the README recipe builds more (or less) than the library, its test kit and the CLI: ${recipe_targets}")
endif()
if(recipe_output MATCHES "httplib")
  message(FATAL_ERROR "the README recipe looked for cpp-httplib, which it neither needs nor lists:\n${recipe_output}")
endif()
message(STATUS "1. the recipe builds: ${recipe_targets}")

# 2. Where each dependency was found, and which Debian package owns it.
find_program(DPKG dpkg)
if(DPKG)
  file(STRINGS "${WORK_DIR}/recipe/CMakeCache.txt" cache)
  set(files)
  foreach(entry IN LISTS cache)
    if(entry MATCHES "^(CURL_INCLUDE_DIR|ZLIB_INCLUDE_DIR|nlohmann_json_DIR|CLI11_DIR|CMAKE_MAKE_PROGRAM|CMAKE_COMMAND):[A-Z]+=(.+)$")
      set(path "${CMAKE_MATCH_2}")
      if(CMAKE_MATCH_1 STREQUAL "CURL_INCLUDE_DIR")
        set(path "${path}/curl/curl.h")
      elseif(CMAKE_MATCH_1 STREQUAL "ZLIB_INCLUDE_DIR")
        set(path "${path}/zlib.h")
      elseif(CMAKE_MATCH_1 MATCHES "_DIR$")
        file(GLOB path "${path}/*onfig.cmake")
      endif()
      list(APPEND files ${path})
    endif()
  endforeach()
  list(LENGTH files found)
  if(found LESS 5)
    message(FATAL_ERROR "expected curl, zlib, nlohmann_json, CLI11 and the build tool in the cache: ${files}")
  endif()
  foreach(file IN LISTS files)
    execute_process(COMMAND ${DPKG} -S "${file}" OUTPUT_VARIABLE owner RESULT_VARIABLE status
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    string(REGEX REPLACE ":.*" "" owner "${owner}")
    string(REGEX REPLACE ",.*" "" owner "${owner}")
    if(NOT status EQUAL 0)
      message(STATUS "2. ${file}: not from a Debian package, not checked")
    elseif(NOT owner IN_LIST listed)
      message(FATAL_ERROR "the recipe needs ${file}, from ${owner}, which the README does not list")
    else()
      message(STATUS "2. ${file}: ${owner}, listed")
    endif()
  endforeach()
endif()

# 4. The emulator and the examples asked for, without cpp-httplib.
configure(no_httplib -DBABYAPI_BUILD_EMULATOR=ON -DBABYAPI_BUILD_EXAMPLES=ON)
if(NOT no_httplib_status EQUAL 0)
  message(FATAL_ERROR "asking for the emulator without cpp-httplib broke the configure:\n${no_httplib_output}")
endif()
if(NOT no_httplib_output MATCHES "cpp-httplib not found[^\n]*\n?[^\n]*babyapi-emulator is skipped")
  message(FATAL_ERROR "no message says that the emulator is skipped:\n${no_httplib_output}")
endif()
if("babyapi-emulator" IN_LIST no_httplib_targets OR NOT "quickstart" IN_LIST no_httplib_targets)
  message(FATAL_ERROR "without cpp-httplib, expected the examples and no emulator: ${no_httplib_targets}")
endif()
message(STATUS "4. emulator skipped with a message; the examples build")

# 5. The tests asked for, without cpp-httplib: a clear error.
configure(tests_no_httplib -DBABYAPI_BUILD_TESTS=ON)
if(tests_no_httplib_status EQUAL 0 OR NOT tests_no_httplib_output MATCHES "libcpp-httplib-dev")
  message(FATAL_ERROR "the tests without cpp-httplib should fail naming libcpp-httplib-dev:\n${tests_no_httplib_output}")
endif()
message(STATUS "5. the tests without cpp-httplib stop the configure, naming libcpp-httplib-dev")
file(REMOVE_RECURSE "${WORK_DIR}")
