# Included by the main build and by tests/fuzz: the one place that makes the
# orun_criu_rpc library.
# CRIU's RPC messages (checkpoint/restore drive `criu swrk`): the C code is
# generated at build time by protoc-c from the rpc.proto Debian ships in
# golang-github-checkpoint-restore-go-criu-dev, and linked with the static
# libprotobuf-c.a. Nothing generated is kept in the tree.
find_program(PROTOC_C protoc-c REQUIRED)
find_library(PROTOBUF_C_STATIC NAMES libprotobuf-c.a REQUIRED)
find_path(PROTOBUF_C_INCLUDE protobuf-c/protobuf-c.h REQUIRED)
find_file(ORUN_CRIU_RPC_PROTO rpc.proto
  PATHS /usr/share/gocode/src/github.com/checkpoint-restore/go-criu/rpc NO_DEFAULT_PATH REQUIRED)
get_filename_component(ORUN_CRIU_RPC_DIR ${ORUN_CRIU_RPC_PROTO} DIRECTORY)
set(ORUN_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated/criu)
add_custom_command(
  OUTPUT ${ORUN_GENERATED_DIR}/rpc.pb-c.c ${ORUN_GENERATED_DIR}/rpc.pb-c.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${ORUN_GENERATED_DIR}
  COMMAND ${PROTOC_C} --proto_path=${ORUN_CRIU_RPC_DIR} --c_out=${ORUN_GENERATED_DIR} ${ORUN_CRIU_RPC_PROTO}
  DEPENDS ${ORUN_CRIU_RPC_PROTO}
  COMMENT "Generating CRIU RPC code from ${ORUN_CRIU_RPC_PROTO}")
add_library(orun_criu_rpc STATIC ${ORUN_GENERATED_DIR}/rpc.pb-c.c)
target_include_directories(orun_criu_rpc PUBLIC ${ORUN_GENERATED_DIR} ${PROTOBUF_C_INCLUDE})
target_link_libraries(orun_criu_rpc PUBLIC ${PROTOBUF_C_STATIC})
target_compile_options(orun_criu_rpc PRIVATE -ffunction-sections -fdata-sections)
