/* Debian's libdbus-1.a refers to two libsystemd functions, used only when a
 * D-Bus *server* takes its sockets from systemd socket activation
 * (_dbus_listen_systemd_sockets). orun is only a client and Debian ships no
 * static libsystemd, so these stand in for them: "no sockets were passed".
 * Built as its own archive, linked after libdbus-1.a (CMakeLists.txt). */
#include <errno.h>

int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment) {
  (void)unset_environment;
  return 0;
}

int sd_is_socket(int fd, int family, int type, int listening) {
  (void)fd;
  (void)family;
  (void)type;
  (void)listening;
  return -ENOSYS;
}
