# The Debian package: `cpack -G DEB` in the build directory (see README "Install").
# Its version is the project's VERSION, like BALLAST_VERSION in both binaries.
set(CPACK_PACKAGE_NAME ballast)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The Ballast authors")
set(BALLAST_DEB_MAINTAINER "The Ballast authors" CACHE STRING "The Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${BALLAST_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "portfolio rebalancing daemon fed by ZeroMQ price feeds")
set(CPACK_PACKAGE_DESCRIPTION
    "ballastd keeps portfolios' weights and drift current on every tick of its ZeroMQ price feeds and sends \
rebalance orders to a ZeroMQ queue when a trigger fires, each one checked by a pre-trade risk gate and \
committed to a state file before it leaves. ballast is its status and control client, and also publishes \
simulated or replayed prices, runs a paper gateway, backtests and Monte Carlo simulations.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)

# Installed with DESTDIR into the staging directory and the /usr prefix, so
# that install_files.cmake sees the prefix the package is for: /etc, /lib/systemd/system.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from dpkg-shlibdeps (dpkg-dev, which build-essential
# brings); adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")

# The maintainer scripts and the conffile, which is where the /usr prefix
# puts the configuration.
function(ballast_deb_control_files out)
  set(CMAKE_INSTALL_PREFIX /usr)
  GNUInstallDirs_get_absolute_install_dir(sysconfdir CMAKE_INSTALL_SYSCONFDIR SYSCONFDIR)
  set(BALLAST_DEB_CONFFILE "${sysconfdir}/ballast/ballast.toml")
  set(files)
  foreach(name conffiles postinst prerm postrm)
    configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/${name}.in ${PROJECT_BINARY_DIR}/packaging/debian/${name} @ONLY)
    list(APPEND files ${PROJECT_BINARY_DIR}/packaging/debian/${name})
  endforeach()
  set(${out} ${files} PARENT_SCOPE)
endfunction()
ballast_deb_control_files(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
