# CTest filters each test by its doctest name through a CMake list, where ';' splits
# and '[' ']' bracket: a name with them would silently run nothing. Refuse such names.
file(GLOB_RECURSE sources ${TESTS_DIR}/test_*.cpp)
set(failed FALSE)
foreach(source ${sources})
  file(READ ${source} content)
  string(REGEX MATCH "TEST_CASE\\(\"[^\"]*[];[][^\"]*\"" bad "${content}")
  if(bad)
    message(SEND_ERROR "${source}: a test name must not contain ';', '[' or ']': ${bad}")
  endif()
endforeach()
