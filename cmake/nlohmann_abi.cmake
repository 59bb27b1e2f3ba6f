# Records the nlohmann_json ABI libbabyapi is compiled against: the version (nlohmann 3.11 puts
# major.minor.patch in its inline namespace, nlohmann::json_abi_v3_11_2) and the settings that
# change that namespace (JSON_DIAGNOSTICS, JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON,
# NLOHMANN_JSON_NAMESPACE_NO_VERSION). They are read from a probe compiled with the same
# compiler, flags and nlohmann target, so a -DJSON_DIAGNOSTICS=1 in CMAKE_CXX_FLAGS counts too.
# Sets BABYAPI_NLOHMANN_JSON_VERSION (3.11.2), its _MAJOR, _MINOR and _PATCH, and
# BABYAPI_NLOHMANN_JSON_NAMESPACE (nlohmann::json_abi_v3_11_2): the ABI's whole identity.
set(_babyapi_probe_dir ${PROJECT_BINARY_DIR}/CMakeFiles/babyapi_nlohmann_abi)
set(_babyapi_saved_type ${CMAKE_TRY_COMPILE_TARGET_TYPE})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
try_compile(_babyapi_probe_ok
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/nlohmann_abi_probe.cpp
  LINK_LIBRARIES nlohmann_json::nlohmann_json
  CXX_STANDARD 17
  COPY_FILE ${_babyapi_probe_dir}/probe.a
  OUTPUT_VARIABLE _babyapi_probe_log)
set(CMAKE_TRY_COMPILE_TARGET_TYPE ${_babyapi_saved_type})
if(NOT _babyapi_probe_ok)
  message(FATAL_ERROR "babyapi: could not compile the nlohmann_json ABI probe:\n${_babyapi_probe_log}")
endif()
file(STRINGS ${_babyapi_probe_dir}/probe.a _babyapi_probe REGEX "BABYAPI_NLOHMANN_ABI\\[[^]]*\\]")
if(NOT _babyapi_probe MATCHES "BABYAPI_NLOHMANN_ABI\\[([0-9]+),([0-9]+),([0-9]+),([A-Za-z0-9_:]+)\\]")
  message(FATAL_ERROR "babyapi: the nlohmann_json ABI probe gave no readable record ('${_babyapi_probe}')")
endif()
set(BABYAPI_NLOHMANN_JSON_VERSION_MAJOR ${CMAKE_MATCH_1})
set(BABYAPI_NLOHMANN_JSON_VERSION_MINOR ${CMAKE_MATCH_2})
set(BABYAPI_NLOHMANN_JSON_VERSION_PATCH ${CMAKE_MATCH_3})
set(BABYAPI_NLOHMANN_JSON_VERSION ${CMAKE_MATCH_1}.${CMAKE_MATCH_2}.${CMAKE_MATCH_3})
set(BABYAPI_NLOHMANN_JSON_NAMESPACE ${CMAKE_MATCH_4})
message(STATUS "babyapi: nlohmann_json ABI ${BABYAPI_NLOHMANN_JSON_VERSION} (${BABYAPI_NLOHMANN_JSON_NAMESPACE})")
