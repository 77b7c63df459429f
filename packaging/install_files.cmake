# Runs at install time (cmake --install, cpack): places the example
# configuration and the systemd unit by GNUInstallDirs' rules applied to the
# prefix of that moment, so that the /usr prefix gives /etc/ballast whether it
# was chosen when configuring, with `cmake --install --prefix /usr`, or by cpack.
#
# Set by the install(CODE) before this script: BALLAST_SOURCE_DIR,
# BALLAST_BINARY_DIR, BALLAST_SYSTEMD_UNITDIR (empty: by the rule below), and
# the configured CMAKE_INSTALL_BINDIR, CMAKE_INSTALL_SYSCONFDIR and CMAKE_INSTALL_LIBDIR.
include(GNUInstallDirs)

# Debian 12 packages keep their units in /lib/systemd/system; any other prefix
# has its own lib/systemd/system, which systemd also reads for /usr/local.
set(unitdir "${BALLAST_SYSTEMD_UNITDIR}")
if(NOT unitdir)
  if(CMAKE_INSTALL_PREFIX MATCHES "^/(usr/?)?$")
    set(unitdir "/lib/systemd/system")
  else()
    set(unitdir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  endif()
endif()

set(unit "${BALLAST_BINARY_DIR}/packaging/ballastd.service")
configure_file("${BALLAST_SOURCE_DIR}/packaging/ballastd.service.in" "${unit}" @ONLY)
file(INSTALL "${unit}" DESTINATION "${unitdir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# An operator's edited configuration is never written over; a package's
# staging directory never has one, so the package always carries the example.
set(config_dir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/ballast")
if(EXISTS "$ENV{DESTDIR}${config_dir}/ballast.toml")
  message(STATUS "Keeping: $ENV{DESTDIR}${config_dir}/ballast.toml (it exists)")
else()
  # 0640: the file may carry the status token; the package gives it to group ballast.
  file(INSTALL "${BALLAST_SOURCE_DIR}/examples/ballast.toml" DESTINATION "${config_dir}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
