// orun: an OCI container runtime with runc's command line.
#include "cli/cli.hpp"
#include "sys/fds.hpp"

int main(int argc, char** argv) {
  // A caller that closed stdio would otherwise see our own files (the sync
  // socket, the signalfd) land on fds 0-2 and be handed to the container.
  orun::sys::ensure_std_fds();
  return orun::cli::main(argc, argv);
}
