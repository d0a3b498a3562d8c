# The Python module (docs/python.md): the extension propscan._propscan,
# built with pybind11 from Debian over the runtime library, and the pure
# Python package around it (python/propscan/).
#
# In the build tree, ${CMAKE_BINARY_DIR}/python is an importable package
# (the tests put it on PYTHONPATH). `pip install .` (setup.py) installs the
# component "python" into the wheel instead: the extension, the runtime
# library beside it and the shipped model.

# Debian's interpreter first: its dist-packages hold pybind11, pytest and
# pandas, which an interpreter earlier on PATH (pyenv, conda) may not see.
# setup.py passes the interpreter pip runs under.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Module)
find_package(pybind11 2.10 CONFIG REQUIRED)

pybind11_add_module(propscan_python MODULE python/propscan_module.cc)
target_link_libraries(propscan_python PRIVATE propscan_internal propscan_store propscan_store_postgres)
set_target_properties(propscan_python PROPERTIES
  OUTPUT_NAME _propscan
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/python/propscan
  # Installed, the runtime library sits beside the extension.
  INSTALL_RPATH "$ORIGIN")

# The package's Python files, copied beside the extension in the build tree.
set(PROPSCAN_PYTHON_FILES __init__.py __init__.pyi _propscan.pyi py.typed)
set(PROPSCAN_PYTHON_COPIES)
foreach(f ${PROPSCAN_PYTHON_FILES})
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/python/propscan/${f}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_SOURCE_DIR}/python/propscan/${f}
            ${CMAKE_BINARY_DIR}/python/propscan/${f}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/python/propscan/${f}
    VERBATIM)
  list(APPEND PROPSCAN_PYTHON_COPIES ${CMAKE_BINARY_DIR}/python/propscan/${f})
endforeach()
add_custom_target(propscan_python_files ALL DEPENDS ${PROPSCAN_PYTHON_COPIES})
add_dependencies(propscan_python propscan_python_files)

# What the wheel holds besides the Python files (which setuptools copies):
# only with `cmake --install --component python`, never a plain install.
# The runtime library goes under its soname, as one file (a wheel keeps no
# symbolic links).
set(PROPSCAN_PYTHON_INSTALL_DIR propscan CACHE STRING "Where the python component installs, relative to the prefix")
install(TARGETS propscan_python LIBRARY DESTINATION ${PROPSCAN_PYTHON_INSTALL_DIR}
  COMPONENT python EXCLUDE_FROM_ALL)
install(PROGRAMS $<TARGET_FILE:propscan_runtime> DESTINATION ${PROPSCAN_PYTHON_INSTALL_DIR}
  RENAME libpropscan.so.${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  COMPONENT python EXCLUDE_FROM_ALL)
install(FILES models/propscan.model DESTINATION ${PROPSCAN_PYTHON_INSTALL_DIR}
  COMPONENT python EXCLUDE_FROM_ALL)

if(PROPSCAN_BUILD_TESTS)
  enable_testing()
  # pytest over the build tree's package, with the binary for the CLI
  # comparisons; the examples run too.
  add_test(NAME python.module
    COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${CMAKE_BINARY_DIR}/python
            PROPSCAN_BINARY=$<TARGET_FILE:propscan> PYTHONDONTWRITEBYTECODE=1
            ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/python/tests
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(python.module PROPERTIES TIMEOUT 300)
  # propscan.Store on a throwaway PostgreSQL server (tests/support/with_postgres.sh).
  add_test(NAME python.store_postgres
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/support/with_postgres.sh
            ${CMAKE_COMMAND} -E env PYTHONPATH=${CMAKE_BINARY_DIR}/python
            PROPSCAN_BINARY=$<TARGET_FILE:propscan> PYTHONDONTWRITEBYTECODE=1
            ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/python/tests/test_store.py
            -k postgresql
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(python.store_postgres PROPERTIES TIMEOUT 300)
  # pip install --no-build-isolation --no-index into a virtual environment
  # and into a prefix, then an analysis with the installed package.
  add_test(NAME python.pip_install
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/python/pip_install_test.sh
            ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${Python3_EXECUTABLE})
  set_tests_properties(python.pip_install PROPERTIES TIMEOUT 1200)
endif()
