# ctest consumer.nlohmann_mismatch: configures a consumer of the installed babyapi against a fake
# nlohmann_json package of another version (WORK/fake, made here) and expects babyapi's package
# config to refuse it with its message. The refusal is the pass; any other outcome fails.
#   cmake -DBABYAPI_DIR=<prefix>/lib/cmake/babyapi -DSOURCE=<this dir> -DWORK=<dir>
#         -DGENERATOR=<gen> -DBUILT_WITH=3.11.2 -P check.cmake
file(REMOVE_RECURSE ${WORK})
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$" parts "${BUILT_WITH}")
math(EXPR other_patch "${CMAKE_MATCH_3} + 1")
set(other "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${other_patch}")

set(fake ${WORK}/fake/share/cmake/nlohmann_json)
file(WRITE ${fake}/nlohmann_jsonConfigVersion.cmake "
set(PACKAGE_VERSION ${other})
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
")
file(WRITE ${fake}/nlohmann_jsonConfig.cmake "
if(NOT TARGET nlohmann_json::nlohmann_json)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
endif()
")

execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/build -G ${GENERATOR}
    -Dbabyapi_DIR=${BABYAPI_DIR} -Dnlohmann_json_DIR=${fake}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "babyapi accepted nlohmann_json ${other} (built with ${BUILT_WITH}):\n${out}")
endif()
string(REGEX REPLACE "[ \n]+" " " flat "${err}")
if(NOT flat MATCHES "babyapi [0-9.]+ was built with nlohmann_json ${BUILT_WITH} .*but nlohmann_json ${other} was found")
  message(FATAL_ERROR "the configure failed, but not with babyapi's refusal:\n${err}")
endif()
message(STATUS "refused as expected: nlohmann_json ${other} against a babyapi built with ${BUILT_WITH}")
