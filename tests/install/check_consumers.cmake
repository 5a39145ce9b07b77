# Installs eigenformer into a scratch prefix, then builds and runs a tiny consumer
# project twice: once through find_package(eigenformer), once through add_subdirectory.
# Configured without a build type, each must be warned that it would compile at -O0.
file(REMOVE_RECURSE ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGV}\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
foreach(mode find_package add_subdirectory)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/${mode}
      -DCONSUME_BY=${mode} -DEIGENFORMER_SOURCE=${SOURCE_DIR} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
  if(NOT output MATCHES "CMAKE_BUILD_TYPE is not set")
    message(FATAL_ERROR "${mode}: no warning about the missing build type:\n${output}")
  endif()
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/${mode})
  run(${WORK_DIR}/${mode}/consumer)
endforeach()
