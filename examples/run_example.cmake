# ctest's runner for one example:
#   cmake -DEXPECT=<regex> -P run_example.cmake -- <command> [args...]
# Runs the command (run_with_emulator and the example), echoes everything it printed, and fails
# unless it exited 0 AND its output (stdout and stderr together) matches EXPECT. ctest's
# PASS_REGULAR_EXPRESSION alone would ignore the exit status, so an example that printed its line
# and then crashed would pass. string(REGEX) uses the same regular expressions as ctest.
set(command)
set(in_command FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(in_command)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif("${CMAKE_ARGV${i}}" STREQUAL "--")
    set(in_command TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "usage: cmake -DEXPECT=<regex> -P run_example.cmake -- <command> [args...]")
endif()

execute_process(COMMAND ${command}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE output
                ERROR_VARIABLE output
                ECHO_OUTPUT_VARIABLE ECHO_ERROR_VARIABLE)

# status is the exit code, or a description such as "Child aborted" when a signal ended it.
if(NOT "${status}" STREQUAL "0")
  message(FATAL_ERROR "example failed: ${status}")
endif()
if(DEFINED EXPECT AND NOT "${EXPECT}" STREQUAL "")
  if(NOT output MATCHES "${EXPECT}")
    message(FATAL_ERROR "example output does not match: ${EXPECT}")
  endif()
endif()
