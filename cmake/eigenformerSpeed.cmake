# Speed for programs that use eigenformer, opt-in, as the programs built in this tree
# have it (README, "Speed"):
#   eigenformer::native    -march=native: Eigen uses AVX2/AVX-512 instead of SSE2 (a
#                          training step ran 1.6x faster, measured)
#   eigenformer::openblas  Eigen hands its large products to OpenBLAS (+15-30% on wider
#                          models); defined only where libopenblas is found
#   target_link_libraries(my_program PRIVATE eigenformer::eigenformer eigenformer::native eigenformer::openblas)
#   GCC before 12.3 with AVX-512 miscompiles small aggregates under -march=native (it
#   passed {2, 2, 0, 0} as {2, 2, 2, 2}: tests/core/test_compiler.cpp), so with those
#   compilers eigenformer::native also turns off the SLP vectorizer that does it.
if(NOT TARGET eigenformer::native)
  add_library(eigenformer::native INTERFACE IMPORTED GLOBAL)
  set_target_properties(eigenformer::native PROPERTIES INTERFACE_COMPILE_OPTIONS
    "-march=native;$<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,12.3>>:-fno-tree-slp-vectorize>")
endif()
if(NOT TARGET eigenformer::openblas)
  find_library(EIGENFORMER_OPENBLAS_LIBRARY NAMES openblas)
  if(EIGENFORMER_OPENBLAS_LIBRARY)
    add_library(eigenformer::openblas INTERFACE IMPORTED GLOBAL)
    set_target_properties(eigenformer::openblas PROPERTIES
      INTERFACE_COMPILE_DEFINITIONS "EIGEN_USE_BLAS;EIGENFORMER_OPENBLAS"
      INTERFACE_LINK_LIBRARIES "${EIGENFORMER_OPENBLAS_LIBRARY}")
  endif()
endif()

# Without a build type CMake compiles at -O0, and Eigen code then runs 10-50x slower:
# the README's gradient check ran past 590 s instead of ~20 s. Say so where it happens.
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  message(WARNING "eigenformer: CMAKE_BUILD_TYPE is not set, so your program compiles without optimization "
                  "(-O0) and will train 10-50x slower. Configure with -DCMAKE_BUILD_TYPE=Release.")
endif()
