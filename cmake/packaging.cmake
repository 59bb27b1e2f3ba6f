# CPack, at top level only: `cpack -G DEB` in the build directory makes one Debian package per
# install component, and `cpack --config CPackSourceConfig.cmake` (or the package_source target)
# makes babyapi-<version>.tar.gz of the source tree, which FetchContent can use.
#   libbabyapi-dev    component dev: headers, the library, the CMake package and the pkg-config file
#   babyapi-cli       component cli: the babyapi program and its bash completion
#   babyapi-emulator  component emulator, with -DBABYAPI_INSTALL_EMULATOR=ON
set(CPACK_PACKAGE_NAME babyapi)
set(CPACK_PACKAGE_VENDOR "babyapi-cpp")
set(CPACK_PACKAGE_CONTACT "babyapi-cpp maintainers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL dev)
if(BABYAPI_BUILD_CLI)
  list(APPEND CPACK_COMPONENTS_ALL cli)
endif()
if(BABYAPI_INSTALL_EMULATOR AND TARGET babyapi-emulator)
  list(APPEND CPACK_COMPONENTS_ALL emulator)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # <package>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)             # Depends: of the programs, from dpkg-shlibdeps
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libbabyapi-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What find_package(babyapi) and pkg-config babyapi look for next to the library.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libcurl4-openssl-dev | libcurl-dev, nlohmann-json3-dev (>= 3.11)")
set(CPACK_COMPONENT_DEV_DESCRIPTION "C++17 client SDK for BabyAPI: headers, library, CMake and pkg-config files")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME babyapi-cli)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_CLI_DESCRIPTION "babyapi, the command line for BabyAPI")
set(CPACK_DEBIAN_EMULATOR_PACKAGE_NAME babyapi-emulator)
set(CPACK_DEBIAN_EMULATOR_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_EMULATOR_DESCRIPTION "babyapi-emulator, a local BabyAPI-compatible server for tests")
if(BUILD_SHARED_LIBS)
  set(CPACK_COMPONENT_CLI_DEPENDS dev)             # the program needs libbabyapi.so
endif()

# The source tarball: the tree as checked out, without version control, build trees or editor state.
# The patterns are written into CPackSourceConfig.cmake and parsed again, so they avoid backslashes:
# [.] for a literal dot.
function(babyapi_path_regex out path)
  string(REGEX REPLACE "([.+*?()|$])" "[\\1]" escaped "${path}")
  set(${out} "${escaped}" PARENT_SCOPE)
endfunction()
babyapi_path_regex(source_re "${PROJECT_SOURCE_DIR}")
babyapi_path_regex(binary_re "${PROJECT_BINARY_DIR}")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME babyapi-${PROJECT_VERSION})
set(CPACK_SOURCE_IGNORE_FILES
  "^${source_re}/[.]git"
  "^${source_re}/(build|out|[.]cache)/"
  "^${source_re}/compile_commands[.]json$"
  "^${binary_re}/")

include(CPack)
