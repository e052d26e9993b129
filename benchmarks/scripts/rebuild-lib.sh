# Sourced by warm-rebuild.sh and interleaved-rebuild.sh: the real projects' build trees
# and the commands that clean and rebuild them.
#
#   zlib  CC=gcc CFLAGS="-O2 -g" ./configure; build: make -j2 (34 objects, the static and
#         shared library, the test programs linked); clean: make clean.
#   lua   Debian's src/Makefile, libtool replaced by a stand-in that runs the compiler as
#         is (as real-project.sh); build: make -C src -j2 o ... (68 objects, C and C++);
#         clean: make -C src clean and rm -f src/*.o (the Makefile's clean leaves the
#         *-c++.o).
#   git   Debian's git 2.39 (issue 22), its plain Makefile, no configure, the subset that
#         GitProjectIT builds: make -j2 NO_GETTEXT=1 ... COMPUTE_HEADER_DEPENDENCIES=yes
#         builtin/*.o git.o version.o exec-cmd.o pager.o setup.o config.o attr.o
#         xdiff/lib.a (137 objects, every one with -DPROCFS_EXECUTABLE_PATH="/proc/self/exe";
#         the variables: GitProjectIT.MAKE_VARIABLES); clean: make clean (untimed; the
#         build then regenerates GIT-VERSION-FILE, GIT-CFLAGS and three headers, timed).
#
# The build commands take a job count (default 2): make -jN.

# shellcheck disable=SC2034 # used by the scripts that source this file
declare -A REBUILD_OBJECTS=([zlib]=34 [lua]=68 [git]=137)
readonly GIT_MAKE_VARIABLES="NO_GETTEXT=1 NO_TCLTK=1 NO_PERL=1 NO_PYTHON=1 NO_CURL=1 NO_EXPAT=1 NO_OPENSSL=1 COMPUTE_HEADER_DEPENDENCIES=yes"

# rebuild_prepare PROJECT SRC DEST: DEST becomes a configured copy of SRC, back-dated ten
# minutes so that no file is "too new" for a direct-mode cache. Returns non-zero on failure
# (zlib's configure log is DEST.configure.log).
rebuild_prepare() {
	local project=$1 src=$2 dest=$3
	cp -a -- "$src" "$dest" || return
	case $project in
	zlib)
		(cd -- "$dest" && CC=gcc CFLAGS="-O2 -g" ./configure) >"$dest.configure.log" 2>&1 || return
		;;
	lua)
		printf '#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH "%s"\n#endif\n' \
			"$(gcc -print-multiarch)" >"$dest/src/lua5.4-deb-multiarch.h" || return
		printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in --mode=* | --tag=*) shift ;; *) break ;; esac; done\nexec "$@"\n' \
			>"$dest/libtool-compile" || return
		chmod +x "$dest/libtool-compile" || return
		;;
	git) ;;
	*) return 2 ;;
	esac
	find "$dest" -exec touch -h -d '10 minutes ago' {} +
}

# rebuild_build PROJECT DIR [JOBS]: the build command, to run in DIR (words quoted for eval).
rebuild_build() {
	local jobs=${3:-2} c targets=
	case $1 in
	zlib) printf '%s' "make -j$jobs" ;;
	lua) printf '%s' "make -C src -j$jobs o CC=gcc\\ -std=gnu99 CXX=g++ LIBTOOL=$2/libtool-compile SYSCFLAGS=-DLUA_USE_LINUX MYCFLAGS=-O2\\ -g MYCXXFLAGS=-O2\\ -g" ;;
	git)
		for c in "$2"/builtin/*.c; do
			c=${c##*/}
			targets+=" builtin/${c%.c}.o"
		done
		printf '%s' "make -j$jobs $GIT_MAKE_VARIABLES$targets git.o version.o exec-cmd.o pager.o setup.o config.o attr.o xdiff/lib.a"
		;;
	esac
}

# rebuild_clean PROJECT: the clean command, to run in the project's directory.
rebuild_clean() {
	case $1 in
	zlib) printf '%s' "make clean" ;;
	lua) printf '%s' "make -C src clean && rm -f src/*.o" ;;
	git) printf '%s' "make clean $GIT_MAKE_VARIABLES" ;;
	esac
}
