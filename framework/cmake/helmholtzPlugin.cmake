# helmholtz_add_plugin(TARGET SOURCES...): a distribution (or several) as a plugin library,
# lib<TARGET>.so, that a model file loads with `plugins: [path/to/lib<TARGET>.so]` or the
# program with `--plugin`. The sources register their distributions with
# HELMHOLTZ_PLUGIN_LIBRARY (framework/plugin_library.hpp). See docs/writing-a-plugin.md.
function(helmholtz_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE helmholtz::framework)
  set_target_properties(${target} PROPERTIES PREFIX "lib" CXX_VISIBILITY_PRESET hidden
                                             POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${target} PRIVATE cxx_std_20)
  # Distributions declare their blocks with designated initialisers that leave defaults out
  # ({.initial = {0, 0}}); GCC 12's -Wextra warns about every omitted member.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-missing-field-initializers)
  endif()
endfunction()
