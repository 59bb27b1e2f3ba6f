# cmake -DBUILD_DIR=<sdk build> -DOUTPUT_DIR=<dir> -DCONSUMER_DIR=<fetchcontent consumer build>
#   -DVERSION=<x.y.z> -P make_tarball.cmake
# Makes babyapi-<version>.tar.gz with the build's own CPack source config, checks what it holds,
# and clears the consumer's build tree so that FetchContent unpacks this tarball, not an old one.
cmake_minimum_required(VERSION 3.25)  # policies of this CMake (IN_LIST)
file(REMOVE_RECURSE "${OUTPUT_DIR}" "${CONSUMER_DIR}")
execute_process(COMMAND ${CMAKE_CPACK_COMMAND} --config "${BUILD_DIR}/CPackSourceConfig.cmake"
                        -B "${OUTPUT_DIR}"
                RESULT_VARIABLE status OUTPUT_QUIET)
set(tarball "${OUTPUT_DIR}/babyapi-${VERSION}.tar.gz")
if(NOT status EQUAL 0 OR NOT EXISTS "${tarball}")
  message(FATAL_ERROR "cpack did not make ${tarball}: ${status}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E tar tf "${tarball}" OUTPUT_VARIABLE listing RESULT_VARIABLE status)
string(REPLACE "\n" ";" entries "${listing}")
foreach(needed CMakeLists.txt cmake/install.cmake include/babyapi/babyapi.hpp LICENSE)
  if(NOT "babyapi-${VERSION}/${needed}" IN_LIST entries)
    message(FATAL_ERROR "the source tarball lacks ${needed}")
  endif()
endforeach()
foreach(entry IN LISTS entries)
  if(entry MATCHES "^babyapi-[^/]+/(build|out|\\.git)(/|$)" OR entry MATCHES "CMakeCache\\.txt$")
    message(FATAL_ERROR "the source tarball holds a build tree or git data: ${entry}")
  endif()
endforeach()
list(LENGTH entries count)
file(SIZE "${tarball}" size)
message(STATUS "${tarball}: ${count} entries, ${size} bytes")
