# Small helpers so that every directory's CMakeLists.txt reads the same way
# (after abseil's AbseilHelpers.cmake).
include_guard(GLOBAL)

# The include root of a layer (a top-level folder: base, engine, rules, ...):
# a directory holding only a link named after the layer to its sources. A
# library adds its own layer's root; the roots of the layers below come with
# the libraries it links. So "#include "engine/..."" compiles in a library
# of rules/ only if it links an engine library, which CMake refuses when
# engine links rules (a cycle): a wrong include fails to compile
# (docs/architecture.md, "Layers"; scripts/check-layers.py checks the same
# from the sources).
function(centinela_layer_root out)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  string(REGEX REPLACE "/.*" "" layer "${rel}")
  set(root ${PROJECT_BINARY_DIR}/layers/${layer})
  if(NOT EXISTS ${root}/${layer})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${layer} ${root}/${layer} SYMBOLIC)
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()

# centinela_cc_library(NAME name SRCS ... HDRS ... DEPS ...)
# Its include directories: its layer's root (above) and the build tree
# (generated protobuf headers), plus those of its DEPS.
function(centinela_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  centinela_layer_root(root)
  if(ARG_SRCS)
    add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_include_directories(${ARG_NAME} PUBLIC ${root} ${PROJECT_BINARY_DIR})
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
    target_compile_options(${ARG_NAME} PRIVATE ${CENTINELA_WARNINGS})
  else()
    add_library(${ARG_NAME} INTERFACE)
    target_include_directories(${ARG_NAME} INTERFACE ${root} ${PROJECT_BINARY_DIR})
    target_link_libraries(${ARG_NAME} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# centinela_cc_test(NAME name SRCS ... DEPS ... [LABELS ...])
function(centinela_cc_test)
  if(NOT CENTINELA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY CENTINELA_UNIT_TESTS ${ARG_NAME})
  endif()
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${CENTINELA_WARNINGS})
  target_compile_definitions(${ARG_NAME} PRIVATE
    CENTINELA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CENTINELA_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${ARG_NAME}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT 600 LABELS ${ARG_LABELS}
    DISCOVERY_TIMEOUT 30)
endfunction()

# centinela_cc_benchmark(NAME name SRCS ... DEPS ...)
function(centinela_cc_benchmark)
  if(NOT CENTINELA_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${CENTINELA_WARNINGS})
  target_compile_definitions(${ARG_NAME} PRIVATE
    CENTINELA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()

# centinela_fuzzer(NAME name SRCS ... DEPS ...)
# With CENTINELA_FUZZ: a libFuzzer binary `name` (run it on
# fuzz/corpus/name). Otherwise, in test builds: `name_replay`, which feeds
# every file of fuzz/corpus/name to the target once, as the ctest test
# fuzz.name (so that the seeds and every crash kept as a regression input
# run in every build).
function(centinela_fuzzer)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${ARG_NAME})
  if(CENTINELA_FUZZ)
    add_executable(${ARG_NAME} ${ARG_SRCS})
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
    target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    target_compile_options(${ARG_NAME} PRIVATE ${CENTINELA_WARNINGS})
    target_compile_definitions(${ARG_NAME} PRIVATE CENTINELA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  elseif(CENTINELA_BUILD_TESTS)
    add_executable(${ARG_NAME}_replay ${ARG_SRCS} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
    set_property(GLOBAL APPEND PROPERTY CENTINELA_UNIT_TESTS ${ARG_NAME}_replay)
    target_link_libraries(${ARG_NAME}_replay PRIVATE ${ARG_DEPS})
    target_include_directories(${ARG_NAME}_replay PRIVATE ${PROJECT_SOURCE_DIR})
    target_compile_options(${ARG_NAME}_replay PRIVATE ${CENTINELA_WARNINGS})
    target_compile_definitions(${ARG_NAME}_replay PRIVATE CENTINELA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_test(NAME fuzz.${ARG_NAME} COMMAND ${ARG_NAME}_replay ${corpus} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(fuzz.${ARG_NAME} PROPERTIES TIMEOUT 300 LABELS unit)
  endif()
endfunction()
