# cmake -DBUILD_DIR=<build> -DPREFIX=<dir> -P install_test.cmake: a default install puts the
# babyapi program in bin/ and its bash completion in share/bash-completion/completions/, and the
# installed program runs.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${status}")
endif()
foreach(path bin/babyapi share/bash-completion/completions/babyapi)
  if(NOT EXISTS "${PREFIX}/${path}")
    message(FATAL_ERROR "not installed: ${path}")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/babyapi" --version RESULT_VARIABLE status OUTPUT_VARIABLE out)
if(NOT status EQUAL 0 OR NOT out MATCHES "^babyapi [0-9]")
  message(FATAL_ERROR "the installed babyapi does not run: ${status} ${out}")
endif()
message(STATUS "installed: ${out}")
