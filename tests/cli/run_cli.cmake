# ctest's runner for one CLI test:
#   cmake -DSTATUS=<code> [-DEXPECT=<regex>] [-DEXPECT_STDERR=<regex>] [-DREJECT=<regex>]
#         [-DSTDIN=<file>] [-DWORKDIR=<dir>] [-DCHECK_FILE=<path> [-DCHECK_CONTENT=<regex>]]
#         [-DCHECK_HEX=1] [-DNO_ESCAPES=1] -P run_cli.cmake -- <command> [args...]
# Runs the command in a fresh WORKDIR with stdin from STDIN (else /dev/null, so that nothing waits
# on a terminal), echoes what it printed, and fails unless the exit status is STATUS (default 0),
# stdout matches EXPECT, stderr matches EXPECT_STDERR, neither matches REJECT, and CHECK_FILE
# exists (matching CHECK_CONTENT). NO_ESCAPES: no ANSI escape or carriage return in the output.
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
  message(FATAL_ERROR "usage: cmake -DSTATUS=<code> ... -P run_cli.cmake -- <command> [args...]")
endif()
if(NOT DEFINED STATUS)
  set(STATUS 0)
endif()
if(NOT DEFINED STDIN OR "${STDIN}" STREQUAL "")
  set(STDIN /dev/null)
endif()
if(DEFINED WORKDIR AND NOT "${WORKDIR}" STREQUAL "")
  file(REMOVE_RECURSE "${WORKDIR}")
  file(MAKE_DIRECTORY "${WORKDIR}")
else()
  set(WORKDIR "${CMAKE_CURRENT_BINARY_DIR}")
endif()
# Tests see what a pipe sees; these must not leak in from the caller's environment.
unset(ENV{NO_COLOR})
unset(ENV{BABYAPI_DEFAULT_MODEL})

execute_process(COMMAND ${command}
                WORKING_DIRECTORY "${WORKDIR}"
                INPUT_FILE "${STDIN}"
                RESULT_VARIABLE status
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
# The emulator's first stderr line (it is a development tool) is not the CLI's.
string(REGEX REPLACE "^babyapi-emulator [^\n]*\n" "" err "${err}")
message("--- stdout ---\n${out}--- stderr ---\n${err}--- status: ${status}")

set(failures)
if(NOT "${status}" STREQUAL "${STATUS}")
  list(APPEND failures "exit status ${status}, expected ${STATUS}")
endif()
if(DEFINED EXPECT AND NOT "${EXPECT}" STREQUAL "" AND NOT out MATCHES "${EXPECT}")
  list(APPEND failures "stdout does not match: ${EXPECT}")
endif()
if(DEFINED EXPECT_STDERR AND NOT "${EXPECT_STDERR}" STREQUAL "" AND NOT err MATCHES "${EXPECT_STDERR}")
  list(APPEND failures "stderr does not match: ${EXPECT_STDERR}")
endif()
if(DEFINED REJECT AND NOT "${REJECT}" STREQUAL "")
  if(out MATCHES "${REJECT}" OR err MATCHES "${REJECT}")
    list(APPEND failures "output matches what it must not: ${REJECT}")
  endif()
endif()
if(NO_ESCAPES)
  string(ASCII 27 escape)
  string(ASCII 13 carriage_return)
  string(FIND "${out}${err}" "${escape}" escape_at)
  string(FIND "${out}${err}" "${carriage_return}" return_at)
  if(NOT escape_at EQUAL -1 OR NOT return_at EQUAL -1)
    list(APPEND failures "escape sequences or carriage returns in a pipe's output")
  endif()
endif()
if(DEFINED CHECK_FILE AND NOT "${CHECK_FILE}" STREQUAL "")
  if(NOT EXISTS "${WORKDIR}/${CHECK_FILE}")
    list(APPEND failures "missing file ${CHECK_FILE}")
  elseif(DEFINED CHECK_CONTENT AND NOT "${CHECK_CONTENT}" STREQUAL "")
    if(CHECK_HEX)  # binary: CHECK_CONTENT is a regex over the lowercase hex of the bytes
      file(READ "${WORKDIR}/${CHECK_FILE}" content HEX)
    else()
      file(READ "${WORKDIR}/${CHECK_FILE}" content)
    endif()
    if(NOT content MATCHES "${CHECK_CONTENT}")
      list(APPEND failures "${CHECK_FILE} does not match: ${CHECK_CONTENT}")
    endif()
  endif()
endif()
if(failures)
  string(REPLACE ";" "\n  " failures "${failures}")
  message(FATAL_ERROR "cli test failed:\n  ${failures}")
endif()
