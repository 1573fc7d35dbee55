# The wake-sleep training benchmark (bench/run_wake_sleep_bench.sh runs it with its PyTorch
# yardstick); included from bench/CMakeLists.txt.
add_executable(wake_sleep_bench ${CMAKE_CURRENT_LIST_DIR}/wake_sleep_bench.cpp)
target_link_libraries(wake_sleep_bench PRIVATE helmholtz_core ${BLAS_LIBRARIES})  # its direct implementation calls cblas
helmholtz_private_options(wake_sleep_bench)
# Where the shipped models are (models/bars.yaml, models/shifter.yaml); --models overrides.
target_compile_definitions(wake_sleep_bench PRIVATE HELMHOLTZ_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
