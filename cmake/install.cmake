# Install rules: headers, the library with an exported target, a CMake package config and a
# pkg-config file, so downstream projects can find_package(babyapi) or pkg-config --libs babyapi.
set(BABYAPI_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/babyapi)

# Everything here is the "dev" component (the libbabyapi-dev package); tools/ add "cli" and "emulator".
install(TARGETS babyapi babyapi_testing EXPORT babyapiTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/babyapi ${PROJECT_BINARY_DIR}/generated/include/babyapi
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT babyapiTargets NAMESPACE babyapi:: DESTINATION ${BABYAPI_CMAKE_DIR} COMPONENT dev)
# The build tree is a package too: find_package(babyapi) with babyapi_DIR=<this build directory>
# uses the library where it was built, with no install step.
export(EXPORT babyapiTargets NAMESPACE babyapi:: FILE ${PROJECT_BINARY_DIR}/babyapiTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/babyapiConfig.cmake.in
  ${PROJECT_BINARY_DIR}/babyapiConfig.cmake INSTALL_DESTINATION ${BABYAPI_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/babyapiConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/babyapiConfig.cmake ${PROJECT_BINARY_DIR}/babyapiConfigVersion.cmake
  DESTINATION ${BABYAPI_CMAKE_DIR} COMPONENT dev)

# pkg-config: a static libbabyapi needs libcurl and threads at the consumer's link step, so libcurl is
# a public requirement then (plain `pkg-config --libs babyapi` works; --static would drag in libcurl's
# own static dependencies, which Debian does not ship).
if(BUILD_SHARED_LIBS)
  set(BABYAPI_PC_REQUIRES "nlohmann_json >= 3.11")
  set(BABYAPI_PC_REQUIRES_PRIVATE "libcurl")
  set(BABYAPI_PC_LIBS "")
else()
  set(BABYAPI_PC_REQUIRES "nlohmann_json >= 3.11, libcurl")
  set(BABYAPI_PC_REQUIRES_PRIVATE "")
  set(BABYAPI_PC_LIBS "-pthread")
endif()
# Relocatable: the prefix is found from where the .pc file sits, so `cmake --install --prefix` works.
file(RELATIVE_PATH BABYAPI_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/babyapi.pc.in ${PROJECT_BINARY_DIR}/babyapi.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/babyapi.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
