# cmake -DBUILD_DIR=<build> -DPREFIX=<dir> -P install_emulator.cmake: with -DBABYAPI_INSTALL_EMULATOR=ON
# the "emulator" install component is bin/babyapi-emulator alone, and the installed program runs.
cmake_minimum_required(VERSION 3.25)  # policies of this CMake (IN_LIST)
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --component emulator --prefix "${PREFIX}"
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install --component emulator failed: ${status}")
endif()
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
if(NOT installed STREQUAL "bin/babyapi-emulator")
  message(FATAL_ERROR "the emulator component installed: ${installed}")
endif()
execute_process(COMMAND "${PREFIX}/bin/babyapi-emulator" --version RESULT_VARIABLE status OUTPUT_VARIABLE out)
if(NOT status EQUAL 0 OR NOT out MATCHES "^babyapi-emulator [0-9]")
  message(FATAL_ERROR "the installed babyapi-emulator does not run: ${status} ${out}")
endif()
message(STATUS "installed: ${out}")
