# An overlay port for the checkout it sits in (untested: vcpkg is not in Debian 12):
#   vcpkg install babyapi --overlay-ports=<babyapi-cpp>/packaging/vcpkg
#   vcpkg install "babyapi[cli]" --overlay-ports=...          # with the babyapi program
# A port for a registry would fetch a release instead, with vcpkg_from_github(... SHA512 ...).
set(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../..")

vcpkg_check_features(OUT_FEATURE_OPTIONS feature_options
  FEATURES
    cli BABYAPI_BUILD_CLI)

# BUILD_SHARED_LIBS follows the triplet (VCPKG_LIBRARY_LINKAGE); vcpkg_cmake_configure passes it.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DBABYAPI_BUILD_TESTS=OFF
    -DBABYAPI_BUILD_EXAMPLES=OFF
    -DBABYAPI_BUILD_EMULATOR=OFF
    -DBABYAPI_INSTALL=ON
    ${feature_options})
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH ${CMAKE_INSTALL_LIBDIR}/cmake/babyapi PACKAGE_NAME babyapi)
vcpkg_fixup_pkgconfig()

if("cli" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES babyapi AUTO_CLEAN)
endif()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
