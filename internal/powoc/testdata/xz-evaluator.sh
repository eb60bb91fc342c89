#!/bin/sh
# A minimal external PoWoC evaluator: xz, which ignores the model. It shows
# the whole protocol (docs/POWOC.md): info, encode and decode, data on
# stdin, result on stdout, reason on stderr with a non-zero status.
set -e
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
info)
	v=$(xz --robot --version | sed -n 's/^XZ_VERSION=//p')
	printf '{"protocol":1,"name":"xz","version":"%s-9e","params":{}}\n' "$v"
	;;
encode) exec xz -9e -c ;;
decode) exec xz -dc ;;
*)
	echo "unknown command '$cmd': want info, encode or decode" >&2
	exit 2
	;;
esac
