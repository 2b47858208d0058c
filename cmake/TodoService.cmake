# todo_service(<name> [INFRA_LIBS libs...]): declares one service from its folders, so every
# service has the same shape and the build keeps its layers apart:
#
#   <name>_domain  domain/*.cpp   links the platform's core only (the standard library's kin)
#   <name>_app     app/*.cpp      + the domain, and Asio's awaitable type for its ports
#   <name>_infra   infra/**.cpp   + every platform part and INFRA_LIBS; embeds migrations/*.sql
#                                  and infra/**/queries/*.sql (one statement each, see below)
#   <name>         main.cpp       the process
#   <name>_unit_tests, <name>_integration_tests   tests/unit/*_test.cpp, tests/integration/...
#
# A layer's target has only its allowed dependencies' include paths, so most reaches outward
# fail to compile; tools/check_layers.py (a unit test) checks the rest, include by include.
#
# Queries: each infra/<dir>/queries/<what_it_does>.sql becomes
#   inline constexpr platform::pg::Query k<WhatItDoes>{"<name>_<what_it_does>", "<text>"};
# in the generated header "infra/<dir>/queries.hpp" (namespace <name>::infra::queries).
function(todo_service name)
  cmake_parse_arguments(SVC "" "" "INFRA_LIBS" ${ARGN})
  set(root ${CMAKE_CURRENT_SOURCE_DIR})

  file(GLOB_RECURSE domain_sources CONFIGURE_DEPENDS ${root}/domain/*.cpp)
  add_library(${name}_domain STATIC ${domain_sources})
  target_include_directories(${name}_domain PUBLIC ${root})
  target_link_libraries(${name}_domain PUBLIC platform_core)

  file(GLOB_RECURSE app_sources CONFIGURE_DEPENDS ${root}/app/*.cpp)
  add_library(${name}_app STATIC ${app_sources})
  target_link_libraries(${name}_app PUBLIC ${name}_domain Boost::headers)
  target_compile_definitions(${name}_app PUBLIC BOOST_ASIO_NO_DEPRECATED)

  file(GLOB_RECURSE infra_sources CONFIGURE_DEPENDS ${root}/infra/*.cpp)
  add_library(${name}_infra STATIC ${infra_sources})
  target_link_libraries(${name}_infra PUBLIC ${name}_app platform_service ${SVC_INFRA_LIBS})
  file(GLOB migrations CONFIGURE_DEPENDS ${root}/migrations/*.sql)
  list(SORT migrations)
  todo_embed_files(${name}_infra ${name}::migrations ${migrations})
  file(GLOB_RECURSE query_files CONFIGURE_DEPENDS ${root}/infra/*/queries/*.sql)
  if(query_files)
    todo_embed_queries(${name}_infra ${name} ${query_files})
  endif()

  add_executable(${name} ${root}/main.cpp)
  target_link_libraries(${name} PRIVATE ${name}_infra)

  file(GLOB unit_tests CONFIGURE_DEPENDS ${root}/tests/unit/*_test.cpp)
  if(unit_tests)
    add_executable(${name}_unit_tests ${unit_tests})
    target_link_libraries(${name}_unit_tests PRIVATE ${name}_infra platform_testing PkgConfig::LIBPQ
      GTest::gtest GTest::gtest_main GTest::gmock)
    gtest_discover_tests(${name}_unit_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
  file(GLOB integration_tests CONFIGURE_DEPENDS ${root}/tests/integration/*_test.cpp)
  if(integration_tests)
    add_executable(${name}_integration_tests ${integration_tests})
    target_link_libraries(${name}_integration_tests PRIVATE ${name}_infra platform_testing PkgConfig::LIBPQ
      GTest::gtest GTest::gtest_main)
    gtest_discover_tests(${name}_integration_tests PROPERTIES LABELS integration DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
