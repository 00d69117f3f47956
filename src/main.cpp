// orun: an OCI container runtime with runc's command line.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return orun::cli::main(argc, argv); }
