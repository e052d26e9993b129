#!/usr/bin/env bash
# Captures the golden files of the config tests from the real ccache (Debian's 4.7.5):
#   values.tsv      from values.in: for each row, what `ccache -k KEY` prints (or the error)
#                   when the value comes from a config file or from CCACHE_<NAME>
#   show-*.txt      `ccache -p` for the configurations described below
# Run from this directory: ./capture.sh   (needs /usr/bin/ccache; writes only under /tmp/cache-golden)
set -euo pipefail
G=/tmp/cache-golden
rm -rf "$G"; mkdir -p "$G"
ENV=(env -i HOME=$G/home FOO=foo PATH=/usr/bin:/bin)

# values.tsv: source  name  key  value  ->  exit  output   (tab-separated; the file path reads @FILE@)
: > values.tsv
while IFS=$'\t' read -r source name key value; do
  [[ -z "$source" || "$source" == \#* ]] && continue
  if [[ "$source" == file ]]; then
    printf '%s = %s\n' "$name" "$value" > $G/ccache.conf
    out=$("${ENV[@]}" CCACHE_CONFIGPATH=$G/ccache.conf ccache -k "$key" 2>&1) && rc=0 || rc=$?
  else
    out=$("${ENV[@]}" CCACHE_CONFIGPATH=$G/none.conf "CCACHE_$name=$value" ccache -k "$key" 2>&1) && rc=0 || rc=$?
  fi
  out=${out//$G\/ccache.conf/@FILE@}
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$source" "$name" "$key" "$value" "$rc" "$out" >> values.tsv
done < values.in

# show-defaults.txt: nothing configured (HOME does not exist, no system file read)
"${ENV[@]}" CCACHE_CONFIGPATH=$G/none.conf ccache -p > show-defaults.txt

# show-full.txt: every key set in a file (show-full.conf), five of them overridden from the
# environment; the file path reads @FILE@
cp show-full.conf $G/ccache.conf
"${ENV[@]}" CCACHE_CONFIGPATH=$G/ccache.conf CCACHE_NODIRECT=1 CCACHE_MAXSIZE=1Gi CCACHE_SLOPPINESS=locale \
  CCACHE_NAMESPACE='${FOO}-env' CCACHE_CC=clang ccache -p | sed "s|$G/ccache.conf|@FILE@|" > show-full.txt
