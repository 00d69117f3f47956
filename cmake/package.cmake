# What `cmake --install` puts on a system, and the Debian package made from
# it with CPack's DEB generator (`bash scripts/package.sh`, or `cpack` in a
# build directory). Everything lands under CMAKE_INSTALL_PREFIX (/usr/local by
# default; /usr in the package):
#   bin/orun                                 the static binary
#   sbin/orun-alternatives                   register orun as `runc` (Debian)
#   share/man/man8/orun*.8.gz                man pages, gzip -9n as Debian ships them
#   share/bash-completion/completions/orun   bash completion
#   share/doc/orun/                          README, docs/, LICENSE, copyright

include(GNUInstallDirs)

install(TARGETS orun RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${CMAKE_SOURCE_DIR}/contrib/orun-alternatives DESTINATION ${CMAKE_INSTALL_SBINDIR})

# Man pages, compressed reproducibly (-n: no name or time stamp in the header).
find_program(GZIP_EXECUTABLE gzip REQUIRED)
file(GLOB ORUN_MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/man/*.8)
set(ORUN_MAN_GZ)
foreach(page ${ORUN_MAN_PAGES})
  get_filename_component(name ${page} NAME)
  set(gz ${CMAKE_BINARY_DIR}/man/${name}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${GZIP_EXECUTABLE} -9n -c ${page} > ${gz}
    DEPENDS ${page} VERBATIM)
  list(APPEND ORUN_MAN_GZ ${gz})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${ORUN_MAN_GZ})
install(FILES ${ORUN_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

install(FILES ${CMAKE_SOURCE_DIR}/contrib/completions/bash/orun
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)

file(GLOB ORUN_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE
  ${CMAKE_SOURCE_DIR}/contrib/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${ORUN_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# The Debian package.
set(ORUN_PACKAGE_MAINTAINER "orun maintainers <orun@localhost>" CACHE STRING
  "Maintainer field of the Debian package")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME orun)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OCI container runtime, a drop-in replacement for runc")
# CPack puts the summary first and indents these lines (an empty one becomes " .").
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "orun creates and runs containers from Open Container Initiative bundles with
runc's command line, so containerd, Docker, Podman and Kubernetes (through a
RuntimeClass) can use it. It is one static binary written in C++.

The package installs /usr/bin/orun, its man pages and bash completion.
`orun-alternatives enable` makes /usr/sbin/runc run orun through the
alternatives system (the runc package's file is diverted and kept), and
`orun-alternatives disable` (or removing this package) undoes it.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ORUN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)             # orun_<version>_<arch>.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Static binary: nothing to depend on at run time. criu is what `checkpoint`
# and `restore` would call; runc is what `orun-alternatives` can divert.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "criu")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "containerd, docker.io, podman")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/contrib/debian/postinst ${CMAKE_SOURCE_DIR}/contrib/debian/prerm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
