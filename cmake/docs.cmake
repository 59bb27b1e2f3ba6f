# `docs`: the API reference (Doxygen, Debian package doxygen) in <build>/docs/html. Any Doxygen
# warning fails the target (WARN_AS_ERROR), so an undocumented public declaration cannot land.
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  set(BABYAPI_DOCS_DIR ${PROJECT_BINARY_DIR}/docs)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/Doxyfile.in ${BABYAPI_DOCS_DIR}/Doxyfile @ONLY)
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E rm -f ${BABYAPI_DOCS_DIR}/warnings.log
    COMMAND ${DOXYGEN_EXECUTABLE} ${BABYAPI_DOCS_DIR}/Doxyfile
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "API reference (Doxygen) in ${BABYAPI_DOCS_DIR}/html; warnings fail the build"
    VERBATIM)
elseif(PROJECT_IS_TOP_LEVEL)
  message(STATUS "babyapi: doxygen not found; the docs target is not available")
endif()
